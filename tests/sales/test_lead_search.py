"""Lead search: any part of the name, company, phone or e-mail, one- and two-character Chinese included, on
leads entered by hand, captured and imported."""

import pytest
from django.urls import reverse

from crm.models import Job
from sales import tasks
from sales.models import Lead
from sales.services import leads

from .test_lead_import import _upload_and_check

pytestmark = pytest.mark.django_db


def _search(client, text):
    response = client.get(reverse("sales:lead-list"), {"q": text})
    assert response.status_code == 200
    return [lead.name for lead in response.context["page"]]


def test_lead_search_finds_two_character_infixes_and_latin_parts(client_for, manager):
    leads.lead_create(
        actor=manager, data={"name": "王建华", "company": "杭州云杉智能科技有限公司", "phone": "138 0013 8000"}
    )
    leads.lead_create(
        actor=manager, data={"name": "Linda Smith", "company": "武汉金桥新能源有限公司", "email": "linda@acme.example"}
    )
    client = client_for(manager)
    assert _search(client, "云杉") == ["王建华"]
    assert _search(client, "金桥") == ["Linda Smith"]
    assert _search(client, "建华") == ["王建华"]
    assert _search(client, "杉") == ["王建华"]
    assert _search(client, "ACME") == ["Linda Smith"]
    assert _search(client, "13800138000") == ["王建华"]
    assert _search(client, "有限") == ["Linda Smith", "王建华"]
    lead = Lead.objects.get(name="王建华")
    lead.company = "南京博源贸易有限公司"
    lead.save(update_fields=["company"])
    assert _search(client, "云杉") == []
    assert _search(client, "博源") == ["王建华"]


def test_imported_leads_are_found_by_two_characters(client_for, manager, django_capture_on_commit_callbacks):
    rows = [["姓名", "公司"], ["张晓东", "东方电子科技"], ["李四", "西部物流"]]
    client = client_for(manager)
    location, data, _preview = _upload_and_check(client, rows)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(location, {**data, "confirm": "1"})
    tasks.run_lead_import.apply(args=[Job.objects.get(dry_run=False).pk]).get()
    client = client_for(manager)
    assert _search(client, "电子") == ["张晓东"]
    assert _search(client, "晓东") == ["张晓东"]
    assert _search(client, "物流") == ["李四"]
