"""Forecast against target and sales performance: aggregates in SQL, converted to the base currency.

Each page is a handful of grouped queries (by month or by rep/team/product and currency) whatever the
number of opportunities; amounts in other currencies convert with today's rates (:mod:`sales.money`).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team
from accounts.roles import team_label
from crm.names import full_name

from .models import Opportunity, OpportunityLine, SalesTarget
from .money import ZERO, rates_on, round_money, sum_by_currency

# Open deals at or above this win probability count as "committed" in the forecast.
COMMIT_PROBABILITY = 75


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class ForecastMonth:
    month: date
    target: Decimal = ZERO
    won: Decimal = ZERO
    weighted: Decimal = ZERO
    committed: Decimal = ZERO
    best_case: Decimal = ZERO

    @property
    def weighted_total(self):
        return self.won + self.weighted

    @property
    def won_attainment(self):
        """What was actually won as a percentage of the target (None without a target)."""
        if not self.target:
            return None
        return round(self.won * 100 / self.target)

    @property
    def attainment(self):
        """Won plus weighted pipeline as a percentage of the target (None without a target)."""
        if not self.target:
            return None
        return round(self.weighted_total * 100 / self.target)


def _month_targets(targets, first: date, last: date) -> dict[date, Decimal]:
    """Targets spread over months: a quarter's target counts a third in each of its months."""
    found = defaultdict(lambda: ZERO)
    spread = {SalesTarget.Period.MONTH: 1, SalesTarget.Period.QUARTER: 3, SalesTarget.Period.YEAR: 12}
    for period, start, amount in targets:
        months = spread[period]
        share = round_money(Decimal(amount) / months)
        for offset in range(months):
            month = add_months(month_start(start), offset)
            if first <= month <= last:
                found[month] += share
    return found


def rolled_up_targets(targets, first: date, last: date) -> dict[date, Decimal]:
    """The targets of ``targets`` per month, each month counted once however many levels set it.

    A target counts unless one above it covers the same month: a team's target covers its members' and
    its sub-teams' targets; a team without one adds up those below it. So a company view shows the sales
    teams' targets (and the targets of reps in teams without one) instead of only a company-wide target
    that nobody set, and a team with a target is not counted twice with its reps.
    """

    holders: dict[tuple, dict[date, Decimal]] = {}
    for period, start, amount, team_id, user_id, user_team_id in targets.values_list(
        "period", "period_start", "amount", "team_id", "user_id", "user__team_id"
    ):
        key = ("team", team_id, None) if team_id else ("user", user_id, user_team_id)
        for month, share in _month_targets([(period, start, amount)], first, last).items():
            holders.setdefault(key, defaultdict(lambda: ZERO))[month] += share
    if not holders:
        return {}
    parents = dict(Team.objects.values_list("id", "parent_id"))
    team_months = {key[1]: months for key, months in holders.items() if key[0] == "team"}

    def covered(team_id, month):
        seen = set()
        while team_id is not None and team_id not in seen:
            seen.add(team_id)
            if month in team_months.get(team_id, {}):
                return True
            team_id = parents.get(team_id)
        return False

    found = defaultdict(lambda: ZERO)
    for (kind, holder, user_team), months in holders.items():
        above = parents.get(holder) if kind == "team" else user_team
        for month, amount in months.items():
            if not covered(above, month):
                found[month] += amount
    return found


def forecast(*, user, opportunities, targets, months: int = 6, start: date | None = None, rates=None) -> dict:
    """Per month from ``start``: target, won, weighted pipeline (amount × probability), committed and
    best case. ``opportunities`` is already scoped to the user; ``targets`` are SalesTarget rows."""
    first = month_start(start or timezone.localdate())
    last = add_months(first, months - 1)
    end = add_months(first, months) - timedelta(days=1)
    rows = {add_months(first, i): ForecastMonth(month=add_months(first, i)) for i in range(months)}
    rates = rates or rates_on()

    open_rows = (
        opportunities.filter(
            status=Opportunity.Status.OPEN, expected_close_date__gte=first, expected_close_date__lte=end
        )
        .annotate(month=TruncMonth("expected_close_date"))
        .values("month", "currency", "stage__probability")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    by_chance = sum_by_currency(open_rows, rates, key=lambda row: (row["month"], row["stage__probability"]))
    for (month, probability), amount in by_chance.items():
        entry = rows[month]
        entry.weighted += round_money(amount * probability / 100)
        entry.best_case += amount
        if probability >= COMMIT_PROBABILITY:
            entry.committed += amount

    won_rows = (
        opportunities.filter(status=Opportunity.Status.WON, closed_at__date__gte=first, closed_at__date__lte=end)
        .annotate(month=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "currency")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for month, amount in sum_by_currency(won_rows, rates, "month").items():
        entry = rows.get(month.date() if hasattr(month, "date") else month)
        if entry is not None:
            entry.won += amount
    for entry in rows.values():
        entry.committed += entry.won
        entry.best_case += entry.won

    for month, amount in rolled_up_targets(targets.filter(period_start__lte=last), first, last).items():
        rows[month].target += amount
    months_list = list(rows.values())
    return {
        "months": months_list,
        "missing_rates": sorted(rates.missing),
        "base_currency": rates.base,
        "rates": rates,
        "totals": {
            key: sum((getattr(m, key) for m in months_list), ZERO)
            for key in ("target", "won", "weighted_total", "committed", "best_case")
        },
    }


DIMENSIONS = {
    "rep": ("owner_id", "owner__username", "owner__first_name", "owner__last_name"),
    "team": ("team_id", "team__name"),
    "month": ("month",),
}


def _label(dimension, row):
    if dimension == "rep":
        return full_name(row["owner__first_name"], row["owner__last_name"], row["owner__username"])
    if dimension == "team":
        return team_label(row["team__name"]) if row["team__name"] else _("No team")
    return row["month"].strftime("%Y-%m")


def performance(*, opportunities, start: date, end: date, dimension: str = "rep") -> dict:
    """Won amount, won count, win rate and average cycle (days from creation to win) per rep, team,
    month or product, for deals closed between ``start`` and ``end``."""
    rates = rates_on()
    closed = opportunities.filter(
        status__in=[Opportunity.Status.WON, Opportunity.Status.LOST],
        closed_at__date__gte=start,
        closed_at__date__lte=end,
    )
    if dimension == "product":
        return _by_product(closed, rates)
    if dimension == "month":
        closed = closed.annotate(month=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
    keys = DIMENSIONS[dimension]
    rows = (
        closed.values(*keys, "currency")
        .annotate(
            won_amount=Sum("amount", filter=Q(status=Opportunity.Status.WON)),
            won=Count("pk", filter=Q(status=Opportunity.Status.WON)),
            lost=Count("pk", filter=Q(status=Opportunity.Status.LOST)),
            cycle=Avg(F("closed_at") - F("created_at"), filter=Q(status=Opportunity.Status.WON)),
        )
        .order_by()
    )
    rows = list(rows)
    groups: dict = {}
    for row in rows:
        key = row[keys[0]]
        entry = groups.setdefault(
            key, {"label": _label(dimension, row), "won_amount": ZERO, "won": 0, "lost": 0, "cycle_sum": 0.0}
        )
        entry["won"] += row["won"]
        entry["lost"] += row["lost"]
        if row["cycle"] is not None:
            entry["cycle_sum"] += row["cycle"].total_seconds() / 86400 * row["won"]
    for key, amount in sum_by_currency(rows, rates, keys[0], amount="won_amount").items():
        groups[key]["won_amount"] = amount
    result = []
    for entry in groups.values():
        decided = entry["won"] + entry["lost"]
        entry["win_rate"] = round(entry["won"] * 100 / decided) if decided else None
        entry["cycle_days"] = round(entry["cycle_sum"] / entry["won"], 1) if entry["won"] else None
        result.append(entry)
    result.sort(key=lambda e: str(e["label"]) if dimension == "month" else -e["won_amount"])
    return {"rows": result, "missing_rates": sorted(rates.missing), "base_currency": rates.base}


def _by_product(closed, rates) -> dict:
    lines = (
        OpportunityLine.objects.filter(opportunity__in=closed.filter(status=Opportunity.Status.WON).values("pk"))
        .values("product_id", "product__name", "product__sku", "opportunity__currency")
        .annotate(amount=Sum(F("quantity") * F("unit_price")), won=Count("opportunity_id", distinct=True))
        .order_by()
    )
    lines = list(lines)
    groups: dict = {}
    for row in lines:
        entry = groups.setdefault(
            row["product_id"],
            {"label": f"{row['product__name']} ({row['product__sku']})", "won_amount": ZERO, "won": 0},
        )
        entry["won"] += row["won"]
    for product_id, amount in sum_by_currency(lines, rates, "product_id", currency="opportunity__currency").items():
        groups[product_id]["won_amount"] = amount
    result = sorted(groups.values(), key=lambda e: -e["won_amount"])
    for entry in result:
        entry["lost"], entry["win_rate"], entry["cycle_days"] = None, None, None
    return {"rows": result, "missing_rates": sorted(rates.missing), "base_currency": rates.base}
