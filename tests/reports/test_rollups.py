"""Rollups: a grouped report answered from the rollups equals the same report computed on the live table, for
each record scope (a manager counts only their team's records, a rep their own and what is shared with them),
and stays equal after writes, bulk updates, imports, merges, undoing a merge and deletes."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer, CustomerShare
from customers.services.merge import customer_merge, customer_merge_undo
from reports import builder, rollups
from reports.datasets import CUSTOMERS, OPPORTUNITIES
from reports.models import CustomerRollup, RollupState
from sales.models import ExchangeRate, Opportunity
from tests.factories import CustomerFactory
from tests.sales.factories import OpportunityFactory, default_pipeline, open_stages

pytestmark = pytest.mark.django_db

SCOPES = ["rep_user", "manager", "executive"]
CUSTOMER_REPORTS = [
    # month × lifecycle stage, count and average quality (bench/reports_dashboard.py)
    {"group_by": [{"field": "created_at", "trunc": "month"}, {"field": "lifecycle_stage"}],
     "aggregates": [{"func": "count"}, {"func": "avg", "field": "quality_score"}], "chart": "bar"},
    # by source, count and average churn risk
    {"group_by": [{"field": "source"}], "aggregates": [{"func": "count"}, {"func": "avg", "field": "churn_score"}]},
    # owner (named through its key) × level, sums
    {"group_by": [{"field": "owner"}, {"field": "level"}],
     "aggregates": [{"func": "sum", "field": "quality_score"}, {"func": "avg", "field": "churn_score"}]},
    {"group_by": [{"field": "team"}, {"field": "created_at", "trunc": "month"}], "aggregates": [{"func": "count"}]},
    # filtered on what the rollup keeps: choices (each operator), owner and team
    {"group_by": [{"field": "source"}], "aggregates": [{"func": "count"}],
     "filters": [{"field": "lifecycle_stage", "op": "in", "value": "prospect, vip"}, {"field": "level", "op": "ne",
                                                                               "value": "A"}]},
    {"group_by": [{"field": "lifecycle_stage"}], "aggregates": [{"func": "avg", "field": "quality_score"}],
     "filters": [{"field": "source", "op": "isnull", "value": "yes"}]},
    {"group_by": [{"field": "created_at", "trunc": "month"}], "aggregates": [{"func": "count"}],
     "filters": [{"field": "source", "op": "isnull", "value": "no"}, {"field": "level", "op": "eq", "value": "B"}]},
]  # fmt: skip
OPPORTUNITY_REPORTS = [
    {"group_by": [{"field": "closed_at", "trunc": "month"}, {"field": "status"}],
     "aggregates": [{"func": "count"}, {"func": "sum", "field": "amount_base"}], "chart": "bar"},
    {"group_by": [{"field": "stage"}], "aggregates": [{"func": "count"}, {"func": "sum", "field": "amount_base"}]},
    {"group_by": [{"field": "created_at", "trunc": "month"}],
     "aggregates": [{"func": "avg", "field": "amount_base"}, {"func": "count"}]},
    {"group_by": [{"field": "owner"}, {"field": "currency"}], "aggregates": [{"func": "avg", "field": "amount_base"}]},
    {"group_by": [{"field": "status"}], "aggregates": [{"func": "sum", "field": "amount_base"}],
     "filters": [{"field": "currency", "op": "ne", "value": "CNY"}]},
]  # fmt: skip


def _at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def built(db):
    """The rollups as the migration leaves them (a transactional test's flush may have emptied them)."""
    rollups.rebuild()


@pytest.fixture
def customers(built, rep_user, other_rep, far_rep, manager):
    """Customers of three reps in two teams over three months, two of them across a month's end in local
    time; one of Carol's (another team) is shared with Alice."""
    stages = list(Customer.Lifecycle.values)
    sources = ["", *Customer.Source.values[:3]]
    made = []
    for n, (owner, when) in enumerate(
        [(rep_user, _at(2026, 1, 5)), (rep_user, _at(2026, 1, 31, 23)), (rep_user, _at(2026, 2, 1, 0)),
         (other_rep, _at(2026, 2, 14)), (other_rep, _at(2026, 3, 3)), (far_rep, _at(2026, 1, 20)),
         (far_rep, _at(2026, 3, 30)), (manager, _at(2026, 3, 1))]
    ):  # fmt: skip
        customer = CustomerFactory(
            owner=owner,
            team=owner.team,
            lifecycle_stage=stages[n % len(stages)],
            source=sources[n % len(sources)],
            level="ABCD"[n % 4],
            quality_score=10 * n + 3,
            churn_score=97 - 7 * n,
        )
        Customer.objects.filter(pk=customer.pk).update(created_at=when)
        made.append(customer)
    CustomerShare.objects.create(customer=made[5], user=rep_user)
    return made


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def _result(dataset, definition, user, *, live):
    if live:
        state = list(RollupState.objects.values_list("name", "zone", "rebuilt_at"))
        RollupState.objects.all().delete()
    try:
        table, chart = builder.run(dataset, definition, user=_fresh(user))
    finally:
        if live:
            for name, zone, rebuilt_at in state:
                RollupState.objects.create(name=name, zone=zone, rebuilt_at=rebuilt_at)
    return table.rows, (chart.labels, [(s.label, s.values) for s in chart.series]) if chart else None


def _assert_same(request, dataset, reports):
    for who in SCOPES:
        user = request.getfixturevalue(who)
        for definition in reports:
            assert _result(dataset, definition, user, live=False) == _result(dataset, definition, user, live=True), (
                who,
                definition,
            )


def test_customer_reports_from_the_rollup_equal_the_live_ones_for_each_scope(request, customers):
    _assert_same(request, CUSTOMERS, CUSTOMER_REPORTS)


def test_owner_and_team_filters_are_answered_from_the_rollup(request, customers, rep_user, far_rep):
    reports = [
        {**CUSTOMER_REPORTS[0], "filters": [{"field": "owner", "op": "eq", "value": str(far_rep.pk)}]},
        {**CUSTOMER_REPORTS[1], "filters": [{"field": "owner", "op": "ne", "value": str(rep_user.pk)}]},
        {**CUSTOMER_REPORTS[2], "filters": [{"field": "team", "op": "in", "value": str(far_rep.team_id)}]},
        {**CUSTOMER_REPORTS[1], "filters": [{"field": "team", "op": "isnull", "value": "yes"}]},
    ]
    for definition in reports:
        clean = builder.validate(CUSTOMERS, definition)
        assert rollups.reader(CUSTOMERS, clean, _fresh(rep_user)) is not None
    _assert_same(request, CUSTOMERS, reports)


def test_a_managers_grouped_report_counts_only_the_team(customers, manager, rep_user, other_rep):
    rows, _chart = _result(CUSTOMERS, CUSTOMER_REPORTS[1], manager, live=False)
    team_count = Customer.objects.filter(team=manager.team).count()
    assert sum(row[1] for row in rows) == team_count == 6  # Alice's 3, Bob's 2, Mona's own; not Carol's


def test_a_rep_sees_the_customer_shared_with_them_in_the_figures(customers, rep_user):
    rows, _chart = _result(CUSTOMERS, CUSTOMER_REPORTS[0], rep_user, live=False)
    assert sum(row[2] for row in rows) == 4  # three own and Carol's shared one


def test_months_are_local_months(customers, executive):
    rows, _chart = _result(CUSTOMERS, {"group_by": [{"field": "created_at", "trunc": "month"}]}, executive, live=False)
    by_month = {row[0]: row[1] for row in rows}
    # 31 January 23:00 local is January, 1 February 00:00 local is February (UTC: both 31 January)
    assert by_month["2026-01"] == 3 and by_month["2026-02"] == 2


def test_the_rollup_answers_without_reading_the_customers(customers, executive):
    with CaptureQueriesContext(connection) as captured:
        _result(CUSTOMERS, CUSTOMER_REPORTS[0], executive, live=False)
    assert not [q for q in captured.captured_queries if '"customers_customer"' in q["sql"]]
    assert [q for q in captured.captured_queries if "reports_customerrollup" in q["sql"]]


def test_reports_it_cannot_answer_run_on_the_live_table(customers, executive):
    by_week = {"group_by": [{"field": "created_at", "trunc": "week"}]}
    filtered = {**CUSTOMER_REPORTS[1], "filters": [{"field": "quality_score", "op": "gte", "value": "50"}]}
    minimum = {"group_by": [{"field": "source"}], "aggregates": [{"func": "min", "field": "quality_score"}]}
    for definition in (by_week, filtered, minimum):
        clean = builder.validate(CUSTOMERS, definition)
        assert rollups.reader(CUSTOMERS, clean, _fresh(executive)) is None


def test_another_time_zone_reads_the_live_table(customers, executive):
    clean = builder.validate(CUSTOMERS, CUSTOMER_REPORTS[0])
    with timezone.override("Europe/London"):
        assert rollups.reader(CUSTOMERS, clean, _fresh(executive)) is None
        live = builder.run(CUSTOMERS, CUSTOMER_REPORTS[0], user=_fresh(executive))[0].rows
    assert "2026-02" in {row[0] for row in live}


def _rollup_matches_live():
    """Every rollup row group equals the straightforward aggregate over the live table."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT date_trunc('month', created_at AT TIME ZONE %s)::date, owner_id, team_id, lifecycle_stage, source,
                   level, COUNT(*), SUM(quality_score), SUM(churn_score)
            FROM customers_customer GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
            """,
            [timezone.get_current_timezone_name()],
        )
        live = cursor.fetchall()
    kept = list(
        CustomerRollup.objects.filter(customers__gt=0)
        .order_by("month", "owner_id", "team_id", "lifecycle_stage", "source", "level")
        .values_list("month", "owner_id", "team_id", "lifecycle_stage", "source", "level", "customers",
                     "quality_sum", "churn_sum")
    )  # fmt: skip
    assert kept == live
    assert not CustomerRollup.objects.filter(customers__lt=0).exists()


def test_writes_bulk_updates_imports_and_deletes_keep_the_rollup_exact(request, customers, rep_user, far_rep):
    _rollup_matches_live()
    # a form save: a stage and a score change
    customer = customers[0]
    customer.lifecycle_stage, customer.quality_score = Customer.Lifecycle.VIP, 99
    customer.save()
    _rollup_matches_live()
    # a bulk update moving customers to another owner and team
    Customer.objects.filter(owner=far_rep).update(owner=rep_user, team=rep_user.team)
    _rollup_matches_live()
    # an update that changes nothing the rollup reads writes nothing
    before = list(CustomerRollup.objects.order_by("pk").values())
    Customer.objects.update(notes="touched")
    assert list(CustomerRollup.objects.order_by("pk").values()) == before
    # an import: rows added in bulk, and a COPY
    Customer.objects.bulk_create(
        [Customer(name=f"imported {n}", owner=rep_user, team=rep_user.team, source="website") for n in range(5)]
    )
    # a COPY, as the importer writes: copies of Carol's former rows (every column but the key and unique ones)
    columns = ", ".join(f.column for f in Customer._meta.concrete_fields if not (f.primary_key or f.unique))
    with connection.cursor() as cursor:
        copied = f"SELECT {columns} FROM customers_customer WHERE source = 'website'"  # noqa: S608 - model columns
        with cursor.copy(f"COPY ({copied}) TO STDOUT") as out:
            data = b"".join(bytes(chunk) for chunk in out)
        with cursor.copy(f"COPY customers_customer ({columns}) FROM STDIN") as copy:
            copy.write(data)
    _rollup_matches_live()
    # a delete
    Customer.objects.filter(name__startswith="imported").delete()
    customers[1].delete()
    _rollup_matches_live()
    _assert_same(request, CUSTOMERS, CUSTOMER_REPORTS)


def test_a_rolled_back_change_leaves_no_trace(customers):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        Customer.objects.update(level="D")
        raise RuntimeError
    _rollup_matches_live()


def test_a_merge_and_its_undo_keep_the_rollup_exact(request, customers, manager):
    survivor, merged = customers[0], customers[2]
    merge = customer_merge(actor=manager, survivor=survivor, merged=merged, choices={"level": "merged"})
    _rollup_matches_live()
    _assert_same(request, CUSTOMERS, CUSTOMER_REPORTS)
    customer_merge_undo(actor=manager, merge=merge)
    _rollup_matches_live()


def test_without_its_state_a_rollup_is_neither_kept_nor_read_until_rebuilt(customers, executive):
    RollupState.objects.filter(name="customers").delete()  # what a TRUNCATE of the customers also does
    Customer.objects.update(level="D")
    clean = builder.validate(CUSTOMERS, CUSTOMER_REPORTS[0])
    assert rollups.reader(CUSTOMERS, clean, _fresh(executive)) is None
    rollups.rebuild("customers")
    assert rollups.reader(CUSTOMERS, clean, _fresh(executive)) is not None
    _rollup_matches_live()


# ------------------------------------------------------------------------------------------ opportunities


@pytest.fixture
def deals(built, rep_user, other_rep, far_rep):
    """Deals in CNY (base), USD (a rate with four decimals, so rounding per row would differ) and EUR (no rate)."""
    ExchangeRate.objects.create(currency="USD", date=_at(2025, 1, 1).date(), rate=Decimal("7.1237"))
    pipeline = default_pipeline()
    won, lost = pipeline.stages.get(is_won=True), pipeline.stages.get(is_lost=True)
    first, second = open_stages(pipeline)[:2]
    for owner, amount, currency, stage, status, created, closed in [
        (rep_user, "1000.00", "CNY", won, "won", _at(2026, 1, 5), _at(2026, 1, 15)),
        (rep_user, "200.01", "USD", won, "won", _at(2026, 2, 8), _at(2026, 3, 10)),
        (rep_user, "333.33", "USD", lost, "lost", _at(2026, 2, 1), _at(2026, 2, 20)),
        (rep_user, "300.00", "EUR", first, "open", _at(2026, 1, 10), None),
        (other_rep, "0.07", "USD", second, "open", _at(2026, 2, 2), None),
        (other_rep, "0.07", "USD", second, "open", _at(2026, 2, 3), None),
        (far_rep, "400.00", "CNY", won, "won", _at(2026, 1, 12), _at(2026, 2, 11)),
        (far_rep, "99.99", "USD", first, "open", _at(2026, 3, 1), None),
    ]:
        deal = OpportunityFactory(owner=owner, team=owner.team, amount=Decimal(amount), currency=currency,
                                  stage=stage, status=status)  # fmt: skip
        Opportunity.objects.filter(pk=deal.pk).update(created_at=created, closed_at=closed)


def test_opportunity_reports_from_the_rollup_equal_the_live_ones_for_each_scope(request, deals):
    _assert_same(request, OPPORTUNITIES, OPPORTUNITY_REPORTS)


def test_base_currency_sums_are_the_unrounded_conversions_rounded_once(deals, executive):
    rows, _chart = _result(OPPORTUNITIES, OPPORTUNITY_REPORTS[1], executive, live=False)
    total = sum(row[2] for row in rows)
    usd = Decimal("200.01") + Decimal("333.33") + Decimal("0.14") + Decimal("99.99")
    # CNY 1400 plus every USD amount times 7.1237 (EUR has no rate and is left out), each group rounded once
    assert abs(total - (Decimal("1400.00") + usd * Decimal("7.1237"))) <= Decimal("0.01") * len(rows)
    # the same with the groups named through a key (owner) and split by currency
    assert _result(OPPORTUNITIES, OPPORTUNITY_REPORTS[3], executive, live=False) == _result(
        OPPORTUNITIES, OPPORTUNITY_REPORTS[3], executive, live=True
    )


def test_opportunity_writes_and_deletes_keep_the_rollup_exact(request, deals, rep_user):
    deal = Opportunity.objects.filter(status="open", owner=rep_user).first()
    deal.stage = default_pipeline().stages.get(is_won=True)
    deal.status, deal.closed_at, deal.amount = "won", _at(2026, 3, 20), Decimal("12.34")
    deal.save()
    Opportunity.objects.filter(currency="USD").update(currency="CNY")
    Opportunity.objects.filter(amount__lt=1).delete()
    _assert_same(request, OPPORTUNITIES, OPPORTUNITY_REPORTS)
