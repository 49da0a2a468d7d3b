"""Exporting the customer list's current filter: scope, filters, formats, formula safety and the log."""

import csv
import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from openpyxl import load_workbook

from crm.celery import app
from crm.models import BehaviourLog, Job
from customers.models import Customer
from tests.factories import CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db


def export(client, query="", **data):
    payload = {"fields": ["name", "phone", "lifecycle_stage", "owner", "tags"], "format": "csv", "query": query}
    payload.update(data)
    return client.post(reverse("customers:customer-export"), payload)


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_page_keeps_the_lists_filter(client_for, rep_user):
    response = client_for(rep_user).get(reverse("customers:customer-export"), {"lifecycle_stage": "vip", "page": "3"})
    assert response.status_code == 200
    assert response.context["form"].initial["query"] == "lifecycle_stage=vip"


def test_list_shows_export_but_not_import_to_a_rep(client_for, rep_user):
    content = client_for(rep_user).get(reverse("customers:customer-list")).content
    assert b'id="export-customers"' in content
    assert b'id="import-customers"' not in content


def test_csv_export_is_utf8_sig_with_chinese_and_the_chosen_columns(client_for, rep_user):
    customer = CustomerFactory(name="上海华信科技有限公司", owner=rep_user, phone="021-68881234")
    customer.tags.set([TagFactory(name="重点客户"), TagFactory(name="展会")])
    response = export(client_for(rep_user))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert csv_rows(response) == [
        ["Name", "Phone", "Lifecycle stage", "Owner", "Tags"],
        ["上海华信科技有限公司", "021-68881234", "Prospect", "alice", "展会, 重点客户"],
    ]


def test_export_respects_scope_and_filters(client_for, rep_user, other_rep, manager):
    CustomerFactory(name="Mine VIP", owner=rep_user, lifecycle_stage=Customer.Lifecycle.VIP)
    CustomerFactory(name="Mine prospect", owner=rep_user)
    CustomerFactory(name="Bob VIP", owner=other_rep, lifecycle_stage=Customer.Lifecycle.VIP)
    names = lambda response: sorted(row[0] for row in csv_rows(response)[1:])  # noqa: E731
    assert names(export(client_for(rep_user))) == ["Mine VIP", "Mine prospect"]
    assert names(export(client_for(rep_user), query="lifecycle_stage=vip")) == ["Mine VIP"]
    assert names(export(client_for(manager), query="lifecycle_stage=vip")) == ["Bob VIP", "Mine VIP"]
    assert names(export(client_for(manager), query="q=bob")) == ["Bob VIP"]


def test_xlsx_export_neutralises_formulas(client_for, rep_user):
    CustomerFactory(name='=HYPERLINK("http://evil.example","click")', owner=rep_user, phone="+86 21 6888 1234")
    response = export(client_for(rep_user), format="xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = list(sheet.iter_rows(min_row=2, values_only=True))[0]
    assert row[0] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[1] == "'+86 21 6888 1234"
    assert sheet.cell(row=2, column=1).data_type == "s"


def test_every_export_is_in_the_behaviour_log(client_for, rep_user):
    CustomerFactory(owner=rep_user, lifecycle_stage=Customer.Lifecycle.VIP)
    export(client_for(rep_user), query="lifecycle_stage=vip&q=")
    entry = BehaviourLog.objects.get(action=BehaviourLog.Action.EXPORT)
    assert entry.user == rep_user
    assert entry.detail == {
        "dataset": "customers",
        "rows": 1,
        "fields": ["name", "phone", "lifecycle_stage", "owner", "tags"],
        "filter": {"lifecycle_stage": "vip"},
        "format": "csv",
    }


def test_no_columns_chosen_is_a_form_error(client_for, rep_user):
    response = export(client_for(rep_user), fields=[])
    assert response.status_code == 200
    assert response.context["form"].errors["fields"]
    assert not BehaviourLog.objects.filter(action=BehaviourLog.Action.EXPORT).exists()


def test_user_without_the_export_permission_gets_403(client_for, django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="x-123456789")
    assert client_for(user).get(reverse("customers:customer-export")).status_code == 403


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_large_export_runs_as_a_job_on_a_real_worker(client_for, rep_user, other_rep, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 3
    for i in range(7):
        CustomerFactory(name=f"Mine {i}", owner=rep_user, lifecycle_stage=Customer.Lifecycle.VIP)
    CustomerFactory(name="Mine, not VIP", owner=rep_user)
    CustomerFactory(name="Bob's", owner=other_rep, lifecycle_stage=Customer.Lifecycle.VIP)
    client = client_for(rep_user)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = export(client, query="lifecycle_stage=vip", format="xlsx")
        job = Job.objects.get(kind=Job.Kind.EXPORT)
        assert response["Location"] == reverse("job-detail", args=[job.pk])
        for _ in range(300):
            job.refresh_from_db()
            if job.status in (Job.Status.DONE, Job.Status.FAILED):
                break
            time.sleep(0.1)
    assert job.status == Job.Status.DONE, job.error
    assert (job.total, job.processed, job.result["rows"]) == (7, 7, 7)
    page = client.get(reverse("job-detail", args=[job.pk]))
    assert b'id="job-download"' in page.content
    download = client.get(reverse("job-download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == [f"Mine {i}" for i in range(7)]
    entry = BehaviourLog.objects.get(action=BehaviourLog.Action.EXPORT)
    assert (entry.user, entry.detail["rows"], entry.detail["filter"]) == (rep_user, 7, {"lifecycle_stage": "vip"})
