"""The custom report builder: only whitelisted fields, aggregates checked by hand, record scope always on."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from reports import builder
from reports.datasets import COMMUNICATIONS, CUSTOMERS
from tests.factories import CommunicationFactory, CustomerFactory

pytestmark = pytest.mark.django_db

VIP, PROSPECT = Customer.Lifecycle.VIP, Customer.Lifecycle.PROSPECT


@pytest.fixture
def fixture_customers(rep_user, far_rep):
    """Alice's five customers (by hand: VIP 80+60+70 → sum 210, avg 70, min 60, max 80; prospects 30+50) and
    two of Carol's, in another team, that Alice must never count."""
    for score, stage in [(80, VIP), (60, VIP), (70, VIP), (30, PROSPECT), (50, PROSPECT)]:
        CustomerFactory(owner=rep_user, quality_score=score, churn_score=100 - score, lifecycle_stage=stage)
    CustomerFactory(owner=far_rep, quality_score=99, lifecycle_stage=VIP)
    CustomerFactory(owner=far_rep, quality_score=1, lifecycle_stage=PROSPECT)


def _grouped(user, **definition):
    table, _chart = builder.run(CUSTOMERS, definition, user=user)
    return table


def test_grouped_aggregates_match_hand_computed_values(fixture_customers, rep_user):
    table = _grouped(
        rep_user,
        group_by=[{"field": "lifecycle_stage"}],
        aggregates=[
            {"func": "count"},
            {"func": "sum", "field": "quality_score"},
            {"func": "avg", "field": "quality_score"},
            {"func": "min", "field": "quality_score"},
            {"func": "max", "field": "quality_score"},
        ],
    )
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows == {
        "Prospect": [2, 80, Decimal("40.00"), 30, 50],
        "VIP": [3, 210, Decimal("70.00"), 60, 80],
    }


def test_aggregates_without_groups_give_one_row(fixture_customers, rep_user):
    table = _grouped(rep_user, aggregates=[{"func": "count"}, {"func": "avg", "field": "churn_score"}])
    # churn = 100 - quality: 20, 40, 30, 70, 50 → average 42
    assert table.rows == [[5, Decimal("42.00")]]


def test_filters_narrow_with_each_operator(fixture_customers, rep_user):
    def count(*filters):
        return _grouped(rep_user, aggregates=[{"func": "count"}], filters=list(filters)).rows[0][0]

    assert count({"field": "lifecycle_stage", "op": "eq", "value": "vip"}) == 3
    assert count({"field": "lifecycle_stage", "op": "ne", "value": "vip"}) == 2
    assert count({"field": "quality_score", "op": "gte", "value": "60"}) == 3
    assert count({"field": "quality_score", "op": "lt", "value": "60"}) == 2
    assert count({"field": "lifecycle_stage", "op": "in", "value": "vip, prospect"}) == 5
    assert count({"field": "industry", "op": "isnull", "value": "yes"}) == 5
    assert count({"field": "name", "op": "contains", "value": "customer"}) == 5
    today = timezone.localdate().isoformat()
    assert count({"field": "created_at", "op": "eq", "value": today}) == 5
    assert count({"field": "created_at", "op": "lt", "value": today}) == 0


def test_group_by_month_and_by_week_truncates_dates(rep_user):
    tz = timezone.get_current_timezone()
    for day in (
        datetime(2026, 3, 2, 10, tzinfo=tz),
        datetime(2026, 3, 30, 23, tzinfo=tz),
        datetime(2026, 4, 1, 1, tzinfo=tz),
    ):
        customer = CustomerFactory(owner=rep_user)
        Customer.objects.filter(pk=customer.pk).update(created_at=day)
    by_month = _grouped(rep_user, group_by=[{"field": "created_at", "trunc": "month"}])
    assert by_month.rows == [["2026-03", 2], ["2026-04", 1]]
    by_week = _grouped(rep_user, group_by=[{"field": "created_at", "trunc": "week"}])
    assert by_week.rows == [["2026-W10", 1], ["2026-W14", 2]]
    by_day = _grouped(rep_user, group_by=[{"field": "created_at", "trunc": "day"}])
    assert [row[0] for row in by_day.rows] == ["2026-03-02", "2026-03-30", "2026-04-01"]


def test_two_groups_make_a_stacked_chart(fixture_customers, rep_user):
    table, chart = builder.run(
        CUSTOMERS,
        {"group_by": [{"field": "lifecycle_stage"}, {"field": "level"}], "chart": "bar"},
        user=rep_user,
    )
    assert table.rows == [["Prospect", "C – regular", 2], ["VIP", "C – regular", 3]]
    assert chart.stacked and chart.labels == ["Prospect", "VIP"]
    assert chart.series[0].values == [2, 3]


def test_listing_shows_whitelisted_columns_of_visible_rows_only(fixture_customers, rep_user):
    table, chart = builder.run(CUSTOMERS, {"columns": ["name", "owner", "lifecycle_stage"]}, user=rep_user)
    assert chart is None
    assert len(table.rows) == 5
    assert {row[1] for row in table.rows} == {"alice"}
    assert {row[2] for row in table.rows} == {"VIP", "Prospect"}


def test_scope_applies_to_every_report(fixture_customers, rep_user, executive):
    mine = _grouped(rep_user, aggregates=[{"func": "count"}, {"func": "max", "field": "quality_score"}])
    everything = _grouped(executive, aggregates=[{"func": "count"}, {"func": "max", "field": "quality_score"}])
    assert mine.rows == [[5, 80]]
    assert everything.rows == [[7, 99]]


@pytest.mark.parametrize(
    ("definition", "part", "fragment"),
    [
        ({"columns": ["search_document"]}, "columns", "search_document"),
        ({"columns": ["owner__password"]}, "columns", "owner__password"),
        ({"filters": [{"field": "owner__password", "op": "eq", "value": "x"}]}, "filters", "owner__password"),
        ({"filters": [{"field": "name", "op": "regex", "value": ".*"}]}, "filters", "regex"),
        ({"filters": [{"field": "quality_score", "op": "gt", "value": "abc"}]}, "filters", "number"),
        ({"filters": [{"field": "lifecycle_stage", "op": "eq", "value": "boss"}]}, "filters", "prospect"),
        ({"group_by": [{"field": "email"}]}, "group_by", "email"),
        ({"group_by": [{"field": "created_at", "trunc": "hour"}]}, "group_by", "day, week or month"),
        ({"aggregates": [{"func": "sum", "field": "name"}]}, "aggregates", "name"),
        ({"aggregates": [{"func": "stddev", "field": "quality_score"}]}, "aggregates", "stddev"),
        ({"chart": "radar"}, "chart", "pie"),
    ],
)
def test_anything_outside_the_whitelist_is_rejected_with_a_message(definition, part, fragment):
    with pytest.raises(ValidationError) as caught:
        builder.validate(CUSTOMERS, definition)
    assert part in caught.value.message_dict
    assert fragment in " ".join(caught.value.message_dict[part])


def test_a_child_data_set_is_scoped_through_its_customer(rep_user, far_rep):
    CommunicationFactory(customer=CustomerFactory(owner=rep_user), channel="visit")
    CommunicationFactory(customer=CustomerFactory(owner=far_rep), channel="visit")
    table, _chart = builder.run(COMMUNICATIONS, {"group_by": [{"field": "channel"}]}, user=rep_user)
    assert table.rows == [["Visit", 1]]


def test_builder_page_refuses_a_field_outside_the_whitelist(client_for, manager):
    response = client_for(manager).get(
        reverse("reports:report-builder"), {"dataset": "customers", "columns": ["name", "search_document"]}
    )
    assert response.status_code == 200
    assert response.context["table"] is None
    assert "search_document" in " ".join(response.context["form"].errors["columns"])


def test_builder_page_runs_a_grouped_report_with_a_chart(client_for, manager):
    CustomerFactory(owner=manager, lifecycle_stage=VIP)
    response = client_for(manager).get(
        reverse("reports:report-builder"),
        {"dataset": "customers", "group_1": "lifecycle_stage", "agg_1": "count", "chart": "bar"},
    )
    assert response.status_code == 200
    assert response.context["table"].rows == [["VIP", 1]]
    assert b'id="builder-chart"' in response.content
    assert b"<script>" not in response.content


def test_reps_cannot_open_the_builder(client_for, rep_user):
    assert client_for(rep_user).get(reverse("reports:report-builder")).status_code == 403


def test_owner_filters_take_ids_and_lists_of_ids(fixture_customers, rep_user, executive, far_rep):
    def count(op, value):
        definition = {"aggregates": [{"func": "count"}], "filters": [{"field": "owner", "op": op, "value": value}]}
        return builder.run(CUSTOMERS, definition, user=executive)[0].rows[0][0]

    assert count("eq", str(rep_user.pk)) == 5
    assert count("ne", str(rep_user.pk)) == 2
    assert count("in", f"{rep_user.pk},{far_rep.pk}") == 7
    saved = builder.validate(CUSTOMERS, {"filters": [{"field": "owner", "op": "in", "value": f"{far_rep.pk}"}]})
    assert saved["filters"][0]["value"] == [far_rep.pk]
    assert builder.run(CUSTOMERS, {**saved, "aggregates": [{"func": "count"}]}, user=executive)[0].rows == [[2]]


def test_the_sidebar_links_reports_by_permission(client_for, rep_user, manager):
    rep_links = {item["url"] for item in client_for(rep_user).get(reverse("home")).context["nav_items"]}
    assert reverse("reports:dashboard") in rep_links
    assert reverse("reports:report-builder") not in rep_links
    manager_links = {item["url"] for item in client_for(manager).get(reverse("home")).context["nav_items"]}
    assert {
        reverse("reports:report-builder"),
        reverse("reports:statistics"),
        reverse("reports:template-list"),
    } <= manager_links


def test_care_actions_are_a_data_set_scoped_through_their_customer(rep_user, far_rep):
    from customers.models import CareAction

    for n, (owner, status) in enumerate(
        [(rep_user, "done"), (rep_user, "pending"), (rep_user, "done"), (far_rep, "done")]
    ):
        CareAction.objects.create(
            customer=CustomerFactory(owner=owner), channel="phone", due_on=timezone.localdate(), assignee=owner,
            status=status, source_key=f"test:{n}",
        )  # fmt: skip
    from reports.datasets import CARE_ACTIONS

    table, _chart = builder.run(CARE_ACTIONS, {"group_by": [{"field": "status"}]}, user=rep_user)
    assert table.rows == [["To do", 1], ["Done", 2]]  # in the order the statuses are declared


def test_groups_of_one_name_merge_averages_by_their_sums_and_counts():
    """Two stages called the same in two pipelines are one group; its average is over all their records
    (sum 30+60 over 1+2 records = 30), not the average of the two averages (45)."""
    partial_rows = [
        {"g0": 1, "a0": 1, "a1": Decimal("30"), "a1n": 1},
        {"g0": 2, "a0": 2, "a1": Decimal("60"), "a1n": 2},
    ]
    merged = builder._merge_by_name(partial_rows, [{1: "Won", 2: "Won"}], ["count", "avg"])
    assert list(merged) == [("Won",)]
    assert builder._merged_aggregates(merged[("Won",)], ["count", "avg"]) == [3, Decimal("30.00")]


def test_a_grouped_definition_without_aggregates_counts_its_groups():
    clean = builder.validate(CUSTOMERS, {"group_by": ["lifecycle_stage"]})
    assert clean["aggregates"] == [{"func": "count", "field": ""}]
    assert clean["columns"] == []
    assert builder.validate(CUSTOMERS, {})["columns"] == list(CUSTOMERS.default_columns)
