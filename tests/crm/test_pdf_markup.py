"""Every PDF the project writes shows a record's text as text: markup in a name never becomes an image
read from the server's disk, a link, or a parser error (the behaviour-log PDF answered 500 on
`<img src=x onerror=alert(1)>` and embedded files named in `<img src=…>`)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from crm.audit import log_action
from crm.models import BehaviourLog
from crm.pdf import markup
from reports import exports
from reports.tables import Table
from sales.services import orders as order_services
from tests.factories import CustomerFactory
from tests.reports.factories import SavedReportFactory
from tests.sales.factories import ProductFactory
from tests.security.factories import administrator

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    '<img src="/etc/passwd">',
    '<a href="https://evil.example/login">Sign in again</a>',
    "<font color=red>x</font> & <b>bold</b> \"quoted\" 'single'",
]


def _assert_literal(content: bytes, payload: str):
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    # Table cells wrap long text, so compare without the line breaks and spaces the layout adds.
    assert "".join(payload.split()) in "".join(text.split())
    for page in reader.pages:
        assert "/Annots" not in page, "a link annotation was embedded"
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        assert not any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values()), "an image was embedded"


def test_markup_escapes_every_character_reportlab_reads_as_markup():
    assert markup('<a href="x">&\'') == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    assert markup("one\ntwo") == "one<br/>two"
    assert markup(None) == ""


@pytest.mark.parametrize("payload", PAYLOADS)
def test_behaviour_log_pdf_shows_markup_as_text(payload, rep_user):
    log_action(actor=rep_user, action=BehaviourLog.Action.UPDATE, module="customers", detail={})
    BehaviourLog.objects.update(object_repr=payload)
    client = Client()
    client.force_login(administrator())
    response = client.get(reverse("security:behaviour-log-export", args=["pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _assert_literal(response.content, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_order_pdf_shows_markup_as_text(payload, client_for, rep_user):
    customer = CustomerFactory(owner=rep_user, name=payload)
    order = order_services.order_create(
        actor=rep_user,
        data={"customer": customer, "ordered_on": "2026-05-01", "currency": "CNY", "notes": payload},
        lines=[{"product": ProductFactory(name=payload), "quantity": 1, "description": payload}],
    )
    response = client_for(rep_user).get(reverse("sales:order-pdf", args=[order.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _assert_literal(response.content, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_report_builder_pdf_shows_markup_as_text(payload, client_for, manager):
    CustomerFactory(owner=manager, name=payload)
    response = client_for(manager).get(
        reverse("reports:report-builder"), {"dataset": "customers", "columns": ["name"], "format": "pdf"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _assert_literal(response.content, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_saved_report_pdf_title_shows_markup_as_text(payload, client_for, manager):
    report = SavedReportFactory(owner=manager, name=payload)
    response = client_for(manager).get(reverse("reports:saved-report-detail", args=[report.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _assert_literal(response.content, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_statistics_and_table_pdf_show_markup_as_text(payload):
    # The statistics page, dashboards and report templates all write through this one function.
    table = Table(title=payload, headers=[payload], rows=[[payload]], note=payload)
    _assert_literal(exports.to_pdf(payload, [table], subtitle=payload), payload)
