"""The report builder reads like the rest of the app: groups in pipeline and choice order, sums with
thousands separators and their currency, and a custom report's PDF with its chart."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from customers.models import Customer
from reports import builder
from reports.datasets import CUSTOMERS, OPPORTUNITIES
from reports.models import SavedReport
from reports.tables import format_number
from tests.factories import CustomerFactory
from tests.sales.factories import OpportunityFactory, open_stages

pytestmark = pytest.mark.django_db


def test_stage_groups_follow_the_pipeline_not_the_alphabet(manager):
    stages = open_stages()
    for stage in reversed(stages):
        OpportunityFactory(owner=manager, team=manager.team, stage=stage, amount=1000)
    table, _chart = builder.run(
        OPPORTUNITIES, {"group_by": [{"field": "stage"}], "aggregates": [{"func": "count"}]}, user=manager
    )
    assert [row[0] for row in table.rows] == [stage.name for stage in stages]
    assert sorted(stage.name for stage in stages) != [stage.name for stage in stages]  # the test can fail


def test_choice_groups_follow_the_declared_order_not_the_codes(rep_user):
    # Codes sort churned < customer < prospect < vip; the lifecycle runs prospect → customer → VIP → churned.
    for stage in Customer.Lifecycle.values:
        CustomerFactory(owner=rep_user, lifecycle_stage=stage)
    definition = {"group_by": [{"field": "lifecycle_stage"}], "aggregates": [{"func": "count"}]}
    with translation.override("en"):
        table, _chart = builder.run(CUSTOMERS, definition, user=rep_user)
    assert [row[0] for row in table.rows] == [str(label) for label in Customer.Lifecycle.labels]


def test_sums_are_grouped_and_carry_the_base_currency(manager):
    OpportunityFactory(owner=manager, team=manager.team, amount=Decimal("1234567.5"), currency="CNY")
    definition = {"aggregates": [{"func": "count"}, {"func": "sum", "field": "amount_base"}]}
    table, _chart = builder.run(OPPORTUNITIES, definition, user=manager)
    with translation.override("en"):
        assert table.display_rows() == [["1", "1,234,567.50 CNY"]]
    assert table.rows == [[1, Decimal("1234567.50")]]  # the spreadsheet keeps numbers
    assert format_number(Decimal("9876543.2"), "number") == "9,876,543.20"


def test_builder_page_shows_the_formatted_sum(client_for, manager):
    OpportunityFactory(owner=manager, team=manager.team, amount=Decimal("2500000"), currency="CNY")
    query = {"dataset": "opportunities", "group_1": "status", "agg_1": "sum", "agg_field_1": "amount_base"}
    response = client_for(manager).get(reverse("reports:report-builder"), query)
    assert response.status_code == 200
    assert "2,500,000.00 CNY" in response.content.decode()


def test_custom_report_pdf_draws_its_chart(client_for, manager):
    for stage in open_stages():
        OpportunityFactory(owner=manager, team=manager.team, stage=stage, amount=1000)
    report = SavedReport.objects.create(
        owner=manager,
        name="Pipeline",
        dataset="opportunities",
        definition={"group_by": [{"field": "stage"}], "aggregates": [{"func": "count"}], "chart": "bar"},
    )
    response = client_for(manager).get(reverse("reports:saved-report-detail", args=[report.pk]), {"format": "pdf"})
    assert response.status_code == 200
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    content = page.get_contents().get_data()
    # Bars are filled rectangles in the chart's colours (reportlab writes them as "r g b rg" fills + "re").
    assert content.count(b" re") > len(open_stages())
    assert b"0.05098 0.431373 0.992157 rg" in content or b".05098 .431373 .992157 rg" in content


def test_pdf_of_an_ungrouped_report_has_no_chart(client_for, manager):
    OpportunityFactory(owner=manager, team=manager.team)
    report = SavedReport.objects.create(
        owner=manager, name="List", dataset="opportunities", definition={"columns": ["name"]}
    )
    response = client_for(manager).get(reverse("reports:saved-report-detail", args=[report.pk]), {"format": "pdf"})
    content = PdfReader(io.BytesIO(response.content)).pages[0].get_contents().get_data()
    assert b".431373 .992157 rg" not in content and b"0.431373 0.992157 rg" not in content
