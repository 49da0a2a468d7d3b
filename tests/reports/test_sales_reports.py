"""Sales in reports: the data sets, panels, statistics and the sales report against a hand-built fixture.

Alice and Bob share a team (Mona manages it); Carol is in another team. One rate: 1 USD = 7.1 CNY (base),
none for EUR. Period: January to March 2026.
"""

import dataclasses
import io
import statistics
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import builder, rollups
from reports import statistics as report_statistics
from reports.dashboard_filters import DashboardFilters
from reports.datasets import LEADS, OPPORTUNITIES, ORDERS
from reports.panels.sales import lead_sources, pipeline_by_stage, sales_funnel, win_rate_by_rep, won_revenue_by_month
from reports.registry import panels_for
from reports.report_templates.sales import sales_report
from sales.models import ExchangeRate, Lead, Opportunity, Pipeline, Stage
from tests.sales.factories import LeadFactory, OpportunityFactory, OrderFactory, default_pipeline, open_stages

pytestmark = pytest.mark.django_db


def _at(month, day, year=2026):
    return datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())


PERIOD = DashboardFilters(start=_at(1, 1).date(), end=_at(3, 31).date())


def _deal(owner, amount, created, *, currency="CNY", status="open", closed=None):
    pipeline = default_pipeline()
    stage = {
        "open": open_stages(pipeline)[0],
        "won": pipeline.stages.get(is_won=True),
        "lost": pipeline.stages.get(is_lost=True),
    }[status]
    deal = OpportunityFactory(
        owner=owner, team=owner.team, amount=amount, currency=currency, stage=stage, status=status
    )
    Opportunity.objects.filter(pk=deal.pk).update(created_at=created, closed_at=closed)
    return deal


def _lead(owner, created, status=Lead.Status.NEW, source=""):
    lead = LeadFactory(owner=owner, status=status, source=source)
    Lead.objects.filter(pk=lead.pk).update(created_at=created)
    return lead


@pytest.fixture
def deals(rep_user, other_rep, far_rep):
    ExchangeRate.objects.create(currency="USD", date=_at(1, 1, 2025).date(), rate=Decimal("7.1"))
    _deal(rep_user, 1000, _at(1, 5), status="won", closed=_at(1, 15))  # 10 days
    _deal(rep_user, 200, _at(2, 8), currency="USD", status="won", closed=_at(3, 10))  # 1420 CNY, 30 days
    _deal(rep_user, 500, _at(2, 1), status="lost", closed=_at(2, 20))  # 19 days
    _deal(rep_user, 300, _at(1, 10), currency="EUR")  # open, no rate
    _deal(other_rep, 800, _at(2, 2))  # open
    _deal(other_rep, 400, _at(1, 12), status="won", closed=_at(2, 11))  # 30 days
    _deal(far_rep, 9999, _at(1, 3), status="won", closed=_at(1, 20))  # another team


@pytest.fixture
def leads(rep_user, far_rep):
    _lead(rep_user, _at(1, 4), Lead.Status.QUALIFIED, "web")
    _lead(rep_user, _at(2, 4), Lead.Status.CONVERTED, "web")
    _lead(rep_user, _at(3, 4), Lead.Status.NEW)
    _lead(rep_user, _at(6, 1, 2025), Lead.Status.QUALIFIED, "web")  # before the period
    _lead(far_rep, _at(1, 4), Lead.Status.QUALIFIED, "fair")  # another team


@pytest.fixture(autouse=True)
def english():
    # A request in Chinese leaves its language active in the thread; these tests read English titles.
    with translation.override("en"):
        yield


def _values(chart):
    return {str(s.label): s.values for s in chart.series}


def _run(dataset, user, **definition):
    table, _chart = builder.run(dataset, definition, user=user)
    return table


# ------------------------------------------------------------------------------------ data sets


def test_opportunity_amounts_sum_in_the_base_currency_per_owner(deals, manager):
    table = _run(
        OPPORTUNITIES,
        manager,
        group_by=[{"field": "owner"}],
        aggregates=[{"func": "count"}, {"func": "sum", "field": "amount_base"}, {"func": "max", "field": "amount"}],
    )
    # Alice: 1000 + 200 USD × 7.1 + 500 (the EUR deal has no rate and is left out) = 2920; Bob 800 + 400.
    assert {row[0]: row[1:] for row in table.rows} == {
        "alice": [4, Decimal("2920.00"), Decimal("1000.00")],
        "bob": [2, Decimal("1200.00"), Decimal("800.00")],
    }


def test_opportunity_data_set_is_scoped(deals, rep_user, executive):
    assert _run(OPPORTUNITIES, rep_user, aggregates=[{"func": "count"}]).rows == [[4]]
    everything = _run(OPPORTUNITIES, executive, aggregates=[{"func": "count"}, {"func": "sum", "field": "amount_base"}])
    assert everything.rows == [[7, Decimal("14119.00")]]


def test_group_opportunities_by_status_and_close_month(deals, rep_user):
    table = _run(
        OPPORTUNITIES,
        rep_user,
        filters=[{"field": "status", "op": "eq", "value": "won"}],
        group_by=[{"field": "closed_at", "trunc": "month"}],
        aggregates=[{"func": "sum", "field": "amount_base"}],
    )
    assert table.rows == [["2026-01", Decimal("1000.00")], ["2026-03", Decimal("1420.00")]]


def test_lead_and_order_data_sets_count_only_rows_in_scope(leads, rep_user, far_rep, manager):
    by_status = _run(LEADS, rep_user, group_by=[{"field": "status"}])
    assert {row[0]: row[1] for row in by_status.rows} == {"New": 1, "Qualified": 2, "Converted": 1}
    OrderFactory(owner=rep_user, team=rep_user.team, total=Decimal("250.50"), customer__owner=rep_user)
    OrderFactory(owner=far_rep, team=far_rep.team, total=Decimal("99.00"), customer__owner=far_rep)
    assert _run(ORDERS, manager, aggregates=[{"func": "sum", "field": "total_base"}]).rows == [[Decimal("250.50")]]


@pytest.mark.parametrize(
    "definition",
    [
        {"columns": ["description"]},
        {"columns": ["customer__owner__password"]},
        {"filters": [{"field": "close_reason", "op": "eq", "value": "x"}]},
        {"group_by": [{"field": "next_step"}]},
        {"aggregates": [{"func": "sum", "field": "name"}]},
        {"aggregates": [{"func": "sum", "field": "version"}]},
    ],
)
def test_builder_rejects_opportunity_fields_outside_the_whitelist(definition):
    with pytest.raises(Exception) as raised:
        builder.validate(OPPORTUNITIES, definition)
    assert raised.type.__name__ == "ValidationError"


# ---------------------------------------------------------------------------------------- panels


def test_sales_funnel_counts_leads_qualified_opportunities_and_won(deals, leads, rep_user, manager):
    assert _values(sales_funnel(rep_user, PERIOD)) == {"Count": [3, 2, 4, 2]}
    # Mona's team: Alice's and Bob's; Carol's lead and deal are another team's.
    assert _values(sales_funnel(manager, PERIOD)) == {"Count": [3, 2, 6, 3]}


def test_a_funnel_bar_opens_the_filtered_list(deals, leads, rep_user):
    chart = sales_funnel(rep_user, DashboardFilters(start=PERIOD.start, end=PERIOD.end, owner=rep_user.pk))
    qualified, won = urlparse(chart.series[0].links[1]), urlparse(chart.series[0].links[3])
    assert qualified.path == reverse("sales:lead-list")
    assert parse_qs(qualified.query) == {"owner": [str(rep_user.pk)], "status": ["qualified"]}
    assert won.path == reverse("sales:opportunity-list")
    assert parse_qs(won.query) == {"owner": [str(rep_user.pk)], "status": ["won"]}


def test_won_revenue_by_month_in_base_currency(deals, rep_user, manager):
    mine = won_revenue_by_month(rep_user, PERIOD)
    assert mine.labels == ["2026-01", "2026-02", "2026-03"]
    assert mine.series[0].values == [Decimal("1000.00"), 0, Decimal("1420.00")]
    team = won_revenue_by_month(manager, PERIOD)
    assert team.series[0].values == [Decimal("1000.00"), Decimal("400.00"), Decimal("1420.00")]
    bob_only = won_revenue_by_month(manager, DashboardFilters(start=PERIOD.start, end=PERIOD.end, owner=manager.pk))
    assert bob_only.series[0].values == [0, 0, 0]


def test_win_rate_by_rep_is_won_over_decided(deals, manager, executive):
    chart = win_rate_by_rep(manager, PERIOD)
    assert dict(zip(chart.labels, chart.series[0].values, strict=True)) == {"alice": 66.7, "bob": 100.0}
    assert "carol" in win_rate_by_rep(executive, PERIOD).labels


def test_pipeline_by_stage_sums_open_deals_and_says_what_it_left_out(deals, rep_user, manager):
    mine = pipeline_by_stage(rep_user, PERIOD)
    assert _values(mine) == {"Amount (CNY)": [0], "Opportunities": [1]}
    assert "1 opportunity left out" in str(mine.title)
    team = pipeline_by_stage(manager, PERIOD)
    assert _values(team) == {"Amount (CNY)": [Decimal("800.00")], "Opportunities": [2]}
    link = urlparse(team.series[0].links[0])
    assert parse_qs(link.query) == {"stage": [str(open_stages()[0].pk)], "status": ["open"]}


def test_lead_sources_count_leads_created_in_the_period(leads, rep_user):
    chart = lead_sources(rep_user, PERIOD)
    assert dict(zip(map(str, chart.labels), chart.series[0].values, strict=True)) == {"web": 2, "Unknown": 1}


def test_sales_panels_are_shown_only_with_the_sales_permissions(rep_user, marketer):
    assert {"sales_funnel", "won_revenue", "pipeline_by_stage"} <= {p.key for p in panels_for(rep_user)}
    marketer_panels = {p.key for p in panels_for(marketer)}
    assert "won_revenue" not in marketer_panels and "pipeline_by_stage" not in marketer_panels


# ------------------------------------------------------------------------------------ statistics


def test_opportunity_measures_match_python_statistics(deals, manager):
    queryset = OPPORTUNITIES.queryset(manager)
    amount, days, probability = report_statistics.descriptive(
        OPPORTUNITIES, queryset, ["amount_base", "days_to_close", "probability"]
    )
    amounts = [1000, 1420, 500, 800, 400]  # the EUR deal has no base amount
    assert amount.count == 5
    assert amount.mean == pytest.approx(statistics.mean(amounts))
    assert amount.stdev == pytest.approx(statistics.stdev(amounts))
    assert [amount.q1, amount.median, amount.q3] == pytest.approx(statistics.quantiles(amounts, method="inclusive"))
    assert days.count == 4 and days.mean == pytest.approx(statistics.mean([10, 30, 19, 30]))
    assert probability.count == 6


# ------------------------------------------------------------------------------- sales report


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_sales_report_tables_hold_the_hand_computed_figures(deals, manager):
    tables = {str(t.title): t for t in sales_report(manager, PERIOD)}
    by_rep = {row[0]: row[1:] for row in tables["Closed deals by rep"].rows}
    assert by_rep["alice"][:4] == [Decimal("2420.00"), 2, 1, 67]
    assert by_rep["bob"][:4] == [Decimal("400.00"), 1, 0, 100]
    assert tables["Open pipeline"].rows == [[2, Decimal("800.00"), 0]]


def test_sales_report_exports_to_xlsx_and_pdf_with_its_values(deals, client_for, manager):
    client = client_for(manager)
    url = reverse("reports:template-detail", args=["sales_report"])
    params = {"start": "2026-01-01", "end": "2026-03-31"}
    page = client.get(url, params)
    assert page.status_code == 200 and b"2420" in page.content
    workbook = load_workbook(io.BytesIO(client.get(url, {**params, "format": "xlsx"}).content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row]
    assert 2420 in cells and 1420 in cells
    client.cookies["django_language"] = "zh-hans"
    pdf = client.get(url, {**params, "format": "pdf"}, headers={"Accept-Language": "zh-hans"})
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "2420" in text and "销售报表" in text


def test_sales_report_is_scoped(deals, rep_user, executive):
    mine = {str(t.title): t for t in sales_report(rep_user, PERIOD)}
    assert [row[0] for row in mine["Closed deals by rep"].rows] == ["alice"]
    everyone = {str(t.title): t for t in sales_report(executive, PERIOD)}
    assert {row[0] for row in everyone["Closed deals by rep"].rows} == {"alice", "bob", "carol"}


# ------------------------------------------------------------------------------------------ pages


def test_builder_page_groups_opportunities_in_the_base_currency(deals, client_for, manager):
    params = {"dataset": "opportunities", "group_1": "owner", "agg_1": "sum", "agg_field_1": "amount_base"}
    response = client_for(manager).get(reverse("reports:report-builder"), params)
    assert response.status_code == 200
    # Carol's deal (another team) is not among the groups.
    assert response.context["table"].rows == [["alice", Decimal("2920.00")], ["bob", Decimal("1200.00")]]


def test_statistics_page_fits_days_to_close_against_amount(deals, client_for, manager):
    params = {
        "dataset": "opportunities",
        "measures": ["amount_base", "days_to_close"],
        "x": "amount_base",
        "y": "days_to_close",
    }
    response = client_for(manager).get(reverse("reports:statistics"), params)
    assert response.status_code == 200
    # Closed deals with a base amount: (1000, 10), (1420, 30), (500, 19), (400, 30).
    assert response.context["regression"].count == 4


def _by_name(dataset):
    """The data set with no group keys: the builder groups on the joined names, the slower way."""
    fields = tuple(dataclasses.replace(field, group_key="") for field in dataset.fields)
    return dataclasses.replace(dataset, fields=fields, _index={})


@pytest.mark.parametrize(
    "groups",
    [
        [{"field": "stage"}],
        [{"field": "owner"}, {"field": "stage"}],
        [{"field": "closed_at", "trunc": "month"}, {"field": "stage"}],
        [{"field": "team"}, {"field": "status"}],
        [{"field": "probability"}],
        [{"field": "campaign"}],
    ],
)
def test_grouping_on_the_key_gives_the_table_grouping_on_the_name_gives(deals, manager, groups):
    """Same rows, same order, same figures, and stages that share a name in two pipelines are one group."""
    other = Pipeline.objects.create(name="Renewals")
    renewal = Stage.objects.create(pipeline=other, name=open_stages()[0].name, order=1, probability=50)
    OpportunityFactory(owner=manager, team=manager.team, pipeline=other, stage=renewal, amount=70)
    aggregates = [
        {"func": "count"},
        {"func": "sum", "field": "amount_base"},
        {"func": "avg", "field": "amount"},
        {"func": "min", "field": "amount"},
        {"func": "max", "field": "amount_base"},
    ]
    definition = {"group_by": groups, "aggregates": aggregates, "chart": "bar"}

    keyed, keyed_chart = builder.run(OPPORTUNITIES, definition, user=manager)
    named, named_chart = builder.run(_by_name(OPPORTUNITIES), definition, user=manager)

    assert keyed.rows == named.rows
    assert keyed.headers == named.headers
    assert keyed_chart == named_chart
    if groups == [{"field": "stage"}]:
        first = open_stages()[0].name
        assert {row[0]: row[1] for row in keyed.rows}[first] == 1 + Opportunity.objects.filter(
            stage__name=first, owner__team=manager.team
        ).exclude(stage=renewal).count()


def test_grouping_on_the_key_reads_no_joined_names_from_the_big_table(deals, manager):
    with CaptureQueriesContext(connection) as queries:
        builder.run(OPPORTUNITIES, {"group_by": [{"field": "stage"}], "aggregates": [{"func": "count"}]}, user=manager)
    grouping = next(q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"])
    assert '"sales_stage"' not in grouping  # names come from a lookup of the few stages found


def test_a_keyed_grouping_past_the_group_limit_shows_the_same_first_groups_every_time(deals, executive, monkeypatch):
    monkeypatch.setattr(builder, "MAX_GROUPS", 2)
    monkeypatch.setattr(rollups, "MAX_GROUPS", 2)  # the groups a rollup gives, as the live query
    definition = {"group_by": [{"field": "owner"}], "aggregates": [{"func": "count"}]}
    first = _run(OPPORTUNITIES, executive, **definition)
    assert len(first.rows) == 2
    assert _run(OPPORTUNITIES, executive, **definition).rows == first.rows
