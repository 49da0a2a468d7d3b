"""Every report exports to XLSX and PDF: the workbook holds the values, the PDF's text holds the Chinese,
formulas are neutralised and each export is in the behaviour log."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from crm.models import BehaviourLog
from reports import exports
from reports.tables import Table
from tests.factories import CustomerFactory

from .factories import SavedReportFactory

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_renders_chinese_text():
    table = Table(title="客户分析", headers=["生命周期", "客户数"], rows=[["潜在客户", 3], ["重要客户", 12]])
    text = _pdf_text(exports.to_pdf("销售报表", [table]))
    for word in ("销售报表", "客户分析", "生命周期", "潜在客户", "重要客户", "12"):
        assert word in text


def test_xlsx_holds_values_and_neutralises_formulas():
    table = Table(title="Customers", headers=["Name", "Count"], rows=[["=HYPERLINK(evil)", 4], ["北京华信", 7]])
    workbook = load_workbook(io.BytesIO(exports.to_xlsx("Report", [table])))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[2] == ("Name", "Count")
    assert rows[3] == ("'=HYPERLINK(evil)", 4)
    assert rows[4] == ("北京华信", 7)


def test_dashboard_exports_in_chinese_and_is_logged(client_for, manager):
    CustomerFactory(owner=manager, lifecycle_stage="vip", name="上海远航")
    client = client_for(manager)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("reports:dashboard"), {"format": "pdf"}, headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "仪表盘" in text
    entry = BehaviourLog.objects.get(action=BehaviourLog.Action.EXPORT)
    assert entry.user == manager and entry.module == "reports" and entry.detail["format"] == "pdf"


def test_builder_export_holds_only_the_users_rows(client_for, manager, far_rep):
    CustomerFactory(owner=manager, name="Mine Ltd.", quality_score=77)
    CustomerFactory(owner=far_rep, name="Not Mine Ltd.", quality_score=11)
    response = client_for(manager).get(
        reverse("reports:report-builder"),
        {"dataset": "customers", "columns": ["name", "quality_score"], "format": "xlsx"},
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[3:] == [("Mine Ltd.", 77)]
    assert BehaviourLog.objects.filter(action=BehaviourLog.Action.EXPORT, user=manager).count() == 1


def test_report_template_exports_every_table_as_a_sheet(client_for, executive):
    CustomerFactory(lifecycle_stage="customer", industry="it")
    response = client_for(executive).get(
        reverse("reports:template-detail", args=["customer_analysis"]), {"format": "xlsx"}
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 5
    lifecycle = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert lifecycle[3][0] == "Prospect"
    assert ("Customer", 0, 0, 1, 0, 1) in lifecycle


def test_saved_report_pdf_and_an_unknown_format(client_for, manager):
    report = SavedReportFactory(owner=manager, name="月报")
    CustomerFactory(owner=manager)
    client = client_for(manager)
    response = client.get(reverse("reports:saved-report-detail", args=[report.pk]), {"format": "pdf"})
    assert "月报" in _pdf_text(response.content)
    assert "filename*=utf-8''%E6%9C%88%E6%8A%A5-" in response["Content-Disposition"]
    bad = client.get(reverse("reports:saved-report-detail", args=[report.pk]), {"format": "exe"})
    assert bad.status_code == 404
