"""Rollups: grouped reports over a million customers or opportunities answered from a few thousand rows.

A grouped custom report (customers per month × lifecycle stage, opportunities per closing month × status, …)
scanned and hashed every visible row of the live table: 0.7–2.5 s at 1,000,000 rows (bench/README.md). The
builder now answers the reports these tables can answer from them instead, and the figures are the live
ones exactly, at every moment, because PostgreSQL maintains them:

- **What is kept.** ``reports.CustomerRollup`` counts customers per local month of creation, owner, team,
  lifecycle stage, source and level, with the sums of their quality and churn scores;
  ``reports.OpportunityRollup`` counts opportunities per local month of creation and of closing, status,
  pipeline, stage, owner, team and currency, with the sum of their amounts in that currency. A few thousand
  rows each at 1,000,000 records.
- **How it stays exact.** Statement-level triggers on the live tables (migration ``reports.0004``) add what
  an INSERT, UPDATE or DELETE statement changed — its transition tables, the new rows counted +1 and the
  old −1, grouped — to the rollup in one ``INSERT … ON CONFLICT DO UPDATE``, in the same transaction. So a
  form save, a bulk update, a merge (the merged customer's row deleted), a COPY import and a cascade delete
  all keep it exact without any code of theirs knowing about it, and a rolled-back change leaves no trace.
  The rows are upserted in key order, so two concurrent statements lock shared rows in the same order.
  An UPDATE that changes nothing the rollup reads nets to nothing and writes nothing (PostgreSQL allows no
  column list on a trigger with transition tables, so the trigger still groups the statement's rows).
- **Months are local.** The months are those of the time zone stored in ``reports.RollupState`` when the
  rollup was last rebuilt (``rollups_rebuild``; the migration does it once). A request in another time zone,
  or a rollup without state (never built, or emptied by a TRUNCATE), reads the live table.
- **Scope.** Rows are keyed by owner and team, so the record scope applies to them with ``narrow`` exactly
  as ``visible_to`` applies it to the records. Customers a user sees only because they were shared with
  them are not in their owner/team scope: their (few) figures are grouped from the live table and added.
  Opportunities have no shares.
- **What it answers.** Reports grouped by at most two of the rollup's dimensions (dates by month), filtered on
  none or on its choices, owner and team, with counts, sums and averages of the fields it sums. Anything else
  (a filter on a date or a score, a day or a week, a minimum) runs on the live table as before, and so does a
  report of more than ``MAX_GROUPS`` groups, where the database's choice of which groups to show is left to the
  database.
- **Amounts.** A sum or average in the base currency is the exact sum of each row's amount times today's rate
  of its currency, rounded to the cent once, as shown; a currency's sum times its rate is that exactly, so
  the rollup's per-currency sums give the same figure. The live path sums the same unrounded conversion
  (the data sets' ``sum_path``); before, it summed amounts rounded per row, up to half a cent each away.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateField, F, Sum
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from crm.scope import Module, is_active_actor, narrow, scope_condition, sees_all
from customers.models import Customer

from .conditions import filter_condition
from .datasets import rates_for
from .models import CustomerRollup, OpportunityRollup, RollupState
from .registry import MAX_GROUPS

FILTERABLE_KINDS = ("choice", "user", "team")


@dataclass(frozen=True)
class Rollup:
    """Which data set a rollup answers for, and how its fields map onto the rollup's columns.

    ``columns``: groupable field → rollup column (a date field only by month; a field named through a foreign
    key, such as owner or stage, by that key's column). ``sums``: aggregatable field → column of its sum.
    ``money``: base-currency field → column of its sum in each row's ``currency``."""

    name: str
    model: type
    module: str
    count: str
    columns: dict
    dates: frozenset = frozenset()
    sums: dict | None = None
    money: dict | None = None
    # The live records a user sees only through a share (outside the owner/team scope), or None.
    shared: object = None


def _customers_shared_only(user):
    condition = scope_condition(user, Module.CUSTOMERS, owner="owner_id", team="team_id")
    through = Customer._meta.get_field(Customer.scope_shared_field).remote_field.through
    return Customer.objects.filter(pk__in=through.objects.filter(user=user).values("customer")).exclude(condition)


ROLLUPS = {
    "customers": Rollup(
        name="customers",
        model=CustomerRollup,
        module=Module.CUSTOMERS,
        count="customers",
        columns={"created_at": "month", "owner": "owner_id", "team": "team_id", "lifecycle_stage": "lifecycle_stage",
                 "source": "source", "level": "level"},
        dates=frozenset({"created_at"}),
        sums={"quality_score": "quality_sum", "churn_score": "churn_sum"},
        shared=_customers_shared_only,
    ),
    "opportunities": Rollup(
        name="opportunities",
        model=OpportunityRollup,
        module=Module.SALES,
        count="deals",
        columns={"created_at": "created_month", "closed_at": "closed_month", "status": "status",
                 "pipeline": "pipeline_id", "stage": "stage_id", "probability": "stage_id", "owner": "owner_id",
                 "team": "team_id", "currency": "currency"},
        dates=frozenset({"created_at", "closed_at"}),
        money={"amount_base": "amount_sum"},
    ),
}  # fmt: skip


# ------------------------------------------------------------------------------------------ maintaining


def rebuild(name=None) -> int:
    """Recompute rollup ``name`` (every one when not given) from the live table in the site's time zone, in one
    transaction that holds back writes to that table meanwhile. Needed once after ``TIME_ZONE`` changes (or a
    TRUNCATE); the triggers keep it exact otherwise. Returns the rows written."""
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for rollup in ROLLUPS.values():
            if name in (None, rollup.name):
                cursor.execute(f"SELECT reports_{rollup.name}_rollup_rebuild(%s)", [settings.TIME_ZONE])
                written += cursor.fetchone()[0]
    return written


# ------------------------------------------------------------------------------------------ reading


def _zone(user, name):
    """The rollup's time zone, read once per request (kept on the user object as other per-request facts)."""
    memo = user.__dict__.setdefault("_report_rollups", {})
    if name not in memo:
        memo[name] = RollupState.objects.filter(name=name).values_list("zone", flat=True).first()
    return memo[name]


def reader(dataset, definition, user):
    """A :class:`Reader` when rollup rows can answer this (validated, grouped) definition for ``user``."""
    rollup = ROLLUPS.get(dataset.key)
    if rollup is None or not definition["group_by"] or not is_active_actor(user):
        return None
    for item in definition["filters"]:
        # A choice, owner or team: the rollup keeps the value itself (not a name shown through a key).
        if item["field"] not in rollup.columns or dataset.field(item["field"]).kind not in FILTERABLE_KINDS:
            return None
    for item in definition["group_by"]:
        dated = item["field"] in rollup.dates
        if item["field"] not in rollup.columns or (item["trunc"] != "month" if dated else item["trunc"]):
            return None
    for item in definition["aggregates"]:
        if item["func"] == "count":
            continue
        if item["func"] not in ("sum", "avg") or item["field"] not in {**(rollup.sums or {}), **(rollup.money or {})}:
            return None
    if _zone(user, rollup.name) != timezone.get_current_timezone_name():
        return None
    return Reader(rollup, dataset, definition, user)


class Reader:
    """The grouped rows of one report from the rollup (plus the user's shared records), in the shapes the
    builder's two grouped paths read: ``partial_rows`` for groups named through keys (an average as its sum
    and count), ``final_rows`` for the rest."""

    def __init__(self, rollup, dataset, definition, user):
        self.rollup, self.dataset, self.definition, self.user = rollup, dataset, definition, user
        self.groups = [f"g{index}" for index in range(len(definition["group_by"]))]
        self.money = [
            index
            for index, item in enumerate(definition["aggregates"])
            if item["func"] != "count" and item["field"] in (rollup.money or {})
        ]

    # -- gathering

    def _rollup_rows(self):
        rollup = self.rollup
        queryset = narrow(rollup.model.objects.all(), self.user, rollup.module, owner="owner_id", team="team_id")
        for item in self.definition["filters"]:
            queryset = queryset.filter(filter_condition(self.dataset, item, column=rollup.columns[item["field"]]))
        annotations = {
            f"g{index}": F(rollup.columns[item["field"]]) for index, item in enumerate(self.definition["group_by"])
        }
        aggregates = {}
        for index, item in enumerate(self.definition["aggregates"]):
            if item["func"] == "count":
                aggregates[f"a{index}"] = Sum(rollup.count)
            elif index in self.money:
                aggregates[f"a{index}"] = Sum(rollup.money[item["field"]])
            else:
                aggregates[f"a{index}"] = Sum(rollup.sums[item["field"]])
            if item["func"] == "avg":
                aggregates[f"a{index}n"] = Sum(rollup.count)
        keys = [*annotations, *(["currency"] if self.money else [])]
        queryset = queryset.filter(**{f"{rollup.count}__gt": 0}).order_by().annotate(**annotations)
        return list(queryset.values(*keys).annotate(**aggregates))

    def _shared_rows(self):
        """The same groups over the live records the user sees only through a share."""
        if self.rollup.shared is None or sees_all(self.user, self.rollup.module):
            return []
        queryset = self.rollup.shared(self.user)
        for item in self.definition["filters"]:
            queryset = queryset.filter(filter_condition(self.dataset, item))
        zone = timezone.get_current_timezone()
        annotations = {}
        for index, item in enumerate(self.definition["group_by"]):
            field = self.dataset.field(item["field"])
            if item["trunc"]:
                annotations[f"g{index}"] = Cast(TruncMonth(field.path, tzinfo=zone), DateField())
            else:
                annotations[f"g{index}"] = F(field.group_key or field.path)
        aggregates = {}
        for index, item in enumerate(self.definition["aggregates"]):
            path = "pk" if item["func"] == "count" else self.dataset.field(item["field"]).path
            aggregates[f"a{index}"] = Count(path) if item["func"] == "count" else Sum(path)
            if item["func"] == "avg":
                aggregates[f"a{index}n"] = Count(path)
        return list(queryset.order_by().annotate(**annotations).values(*annotations).annotate(**aggregates))

    def _merged(self):
        """``{group values: partial aggregates}`` over both sources, amounts converted into the base currency."""
        rates = None
        if self.money:
            rates = rates_for(self.user)
        merged: dict[tuple, dict] = {}
        for row in self._rollup_rows() + self._shared_rows():
            key = tuple(row[g] for g in self.groups)
            into = merged.setdefault(key, {})
            for index in self.money:
                # One currency's sum, converted exactly (no rounding: rate × sum is the sum of rate × amount).
                value = _to_base(row[f"a{index}"] or 0, row["currency"], rates)
                row[f"a{index}"] = value
                if f"a{index}n" in row:
                    row[f"a{index}n"] = row[f"a{index}n"] if value is not None else 0
            for name, value in row.items():
                if name in self.groups or name == "currency":
                    continue
                if value is not None:
                    into[name] = into[name] + value if into.get(name) is not None else value
                else:
                    into.setdefault(name, None)
        return merged

    def _ordered(self, order):
        """The merged rows ordered as the live query orders its groups (ascending, empty last); None when
        there are more than ``MAX_GROUPS`` of them."""
        merged = self._merged()
        if len(merged) > MAX_GROUPS:
            return None
        positions = [self.groups.index(g) for g in order]

        def sort_key(item):
            key = item[0]
            return tuple((key[p] is None, key[p] if key[p] is not None else 0) for p in positions)

        ordered = sorted(merged.items(), key=sort_key)
        return [{**dict(zip(self.groups, key, strict=True)), **values} for key, values in ordered]

    # -- the two shapes

    def partial_rows(self, order):
        """Rows of ``g…`` and partial ``a…`` (an average's sum, with its count in ``a…n``), ordered by the
        group names in ``order``; None to leave the report to the live table."""
        return self._ordered(order)

    def final_rows(self):
        """Rows of ``g…`` and final ``a…`` (an average divided out) ordered by the groups; or None."""
        rows = self._ordered(self.groups)
        if rows is None:
            return None
        for row in rows:
            for index, item in enumerate(self.definition["aggregates"]):
                if item["func"] == "avg":
                    total, count = row[f"a{index}"], row.pop(f"a{index}n")
                    if index in self.money:
                        row[f"a{index}"] = total / count if count and total is not None else None
                    else:
                        row[f"a{index}"] = float(Decimal(total) / Decimal(count)) if count else None
        return rows


def _to_base(amount, currency, rates):
    """One currency's sum in the base currency, unrounded; None without a rate (left out of the sum, as the
    live conversion leaves such rows out)."""
    if currency == rates.base:
        return Decimal(amount)
    rate = rates.rates.get(currency)
    return None if rate is None else Decimal(amount) * rate
