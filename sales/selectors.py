"""Reads of sales records for a user. Every query starts from the record scope."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Team
from crm.scope import Module, narrow

from .filters import ContractFilter, LeadFilter, OpportunityFilter, OrderFilter, ProductFilter
from .models import (
    Contract,
    ContractFile,
    Lead,
    LeadAssignment,
    Opportunity,
    OpportunityLine,
    Order,
    Pipeline,
    Product,
    SalesTarget,
    Stage,
    StageChange,
)  # fmt: skip
from .money import ZERO, rates_on, sum_by_currency

# The board shows this many cards per column (soonest to close first); the totals count them all.
BOARD_COLUMN_LIMIT = 30


# ---------------------------------------------------------------------------- products


def product_list(*, data=None):
    return ProductFilter(data or None, queryset=Product.objects.select_related("category"))


def product_get(*, pk) -> Product:
    return get_object_or_404(Product.objects.select_related("category", "category__parent"), pk=pk)


# ---------------------------------------------------------------------------- leads


def lead_list(*, user, data=None):
    queryset = Lead.objects.visible_to(user).select_related("owner", "campaign")
    return LeadFilter(data or None, queryset=queryset, user=user)


def lead_get(*, user, pk) -> Lead:
    queryset = Lead.objects.visible_to(user).select_related(
        "owner", "team", "campaign", "customer", "opportunity", "duplicate_of", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


def lead_assignments(*, lead):
    return LeadAssignment.objects.filter(lead=lead).select_related("from_owner", "to_owner", "assigned_by")


def leads_in(*, user, ids):
    clean = [int(pk) for pk in ids if str(pk).isdigit()]
    return Lead.objects.visible_to(user).filter(pk__in=clean)


# ---------------------------------------------------------------------------- opportunities


def opportunity_list(*, user, data=None):
    queryset = Opportunity.objects.visible_to(user).select_related("customer", "stage", "owner", "pipeline")
    return OpportunityFilter(data or None, queryset=queryset, user=user)


def opportunity_get(*, user, pk) -> Opportunity:
    queryset = Opportunity.objects.visible_to(user).select_related(
        "customer", "contact", "stage", "pipeline", "owner", "team", "campaign", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


def opportunity_lines(*, opportunity):
    return OpportunityLine.objects.filter(opportunity=opportunity).select_related("product")


def opportunity_documents(*, user, opportunity) -> dict:
    """The orders and contracts made from the opportunity that the user may see."""
    return {
        "orders": Order.objects.visible_to(user).filter(opportunity=opportunity).order_by("-ordered_on", "-pk"),
        "contracts": Contract.objects.visible_to(user).filter(opportunity=opportunity).order_by("-start_date", "-pk"),
    }


def opportunity_line_get(*, user, opportunity_pk, pk) -> OpportunityLine:
    queryset = OpportunityLine.objects.visible_to(user).select_related("opportunity", "product")
    return get_object_or_404(queryset, pk=pk, opportunity_id=opportunity_pk)


def stage_history(*, opportunity):
    """Stage changes oldest first, each with ``duration`` (time in that stage, up to now if current)."""
    now = timezone.now()
    changes = list(
        StageChange.objects.filter(opportunity=opportunity).select_related("from_stage", "to_stage", "changed_by")
    )
    for change in changes:
        change.duration = (change.left_at or now) - change.entered_at
    return changes


def pipelines():
    return Pipeline.objects.filter(is_active=True).prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("order", "pk"))
    )


def board_pipeline(pk=None) -> Pipeline | None:
    """The active pipeline a board shows: the one asked for (404 if none such), else the default, else the
    first; None when no pipeline is set up."""
    if pk and str(pk).isdigit():
        return get_object_or_404(Pipeline, pk=pk, is_active=True)
    return Pipeline.objects.filter(is_active=True).order_by("-is_default", "pk").first()


@dataclass
class BoardColumn:
    stage: Stage
    cards: list = field(default_factory=list)
    count: int = 0
    total: Decimal = ZERO
    weighted: Decimal = ZERO

    @property
    def hidden(self):
        return self.count - len(self.cards)


def opportunity_board(*, user, pipeline: Pipeline, owner=None) -> dict:
    """The open opportunities of a pipeline by stage: a bounded number of queries whatever their number.

    Queries: stages, the per-stage totals by currency, the exchange rates, the first card ids of every
    column (at most ``BOARD_COLUMN_LIMIT`` each) and the cards themselves.
    """
    stages = list(pipeline.stages.order_by("order", "pk"))
    base = Opportunity.objects.visible_to(user).filter(pipeline=pipeline, status=Opportunity.Status.OPEN)
    if owner is not None:
        base = base.filter(owner=owner)
    columns = {stage.pk: BoardColumn(stage=stage) for stage in stages}
    rates = rates_on()
    totals = list(base.order_by().values("stage_id", "currency").annotate(total=Sum("amount"), count=Count("pk")))
    for row in totals:
        if row["stage_id"] in columns:
            columns[row["stage_id"]].count += row["count"]
    for stage_id, amount in sum_by_currency(totals, rates, "stage_id", amount="total").items():
        column = columns.get(stage_id)
        if column is not None:
            column.total += amount
            column.weighted += amount * column.stage.probability / 100
    # One LIMITed index scan per column, glued with UNION ALL: the cost does not grow with the deals.
    firsts = [
        base.filter(stage_id=stage.pk)
        .order_by(F("expected_close_date").asc(nulls_last=True), "-pk")
        .values_list("pk", flat=True)[:BOARD_COLUMN_LIMIT]
        for stage in stages
        if not stage.is_closed
    ]
    ids = list(firsts[0].union(*firsts[1:], all=True)) if firsts else []
    cards = (
        Opportunity.objects.filter(pk__in=ids)
        .select_related("customer", "owner")
        .order_by(F("expected_close_date").asc(nulls_last=True), "-pk")
    )
    for card in cards:
        columns[card.stage_id].cards.append(card)
    board = list(columns.values())
    return {
        "columns": board,
        "stages": stages,
        "total": sum((c.total for c in board), ZERO),
        "weighted": sum((c.weighted for c in board), ZERO),
        "missing_rates": sorted(rates.missing),
        "base_currency": rates.base,
    }


# ---------------------------------------------------------------------------- orders and contracts


def order_list(*, user, data=None):
    queryset = Order.objects.visible_to(user).select_related("customer", "owner")
    return OrderFilter(data or None, queryset=queryset, user=user)


def order_get(*, user, pk) -> Order:
    queryset = Order.objects.visible_to(user).select_related("customer", "owner", "opportunity", "created_by")
    return get_object_or_404(queryset, pk=pk)


def order_lines(*, order):
    return order.lines.select_related("product")


def contract_list(*, user, data=None):
    queryset = Contract.objects.visible_to(user).select_related("customer", "owner")
    return ContractFilter(data or None, queryset=queryset, user=user)


def contract_get(*, user, pk) -> Contract:
    queryset = Contract.objects.visible_to(user).select_related("customer", "owner", "opportunity", "order")
    return get_object_or_404(queryset, pk=pk)


def contract_file_get(*, user, contract_pk, pk) -> ContractFile:
    return get_object_or_404(ContractFile.objects.visible_to(user), pk=pk, contract_id=contract_pk)


# ---------------------------------------------------------------------------- shared by reports


def targets_visible_to(*, user):
    """Targets a user may see: their own; with team scope, those of their teams' members and teams."""
    targets = SalesTarget.objects.select_related("user", "team")
    return narrow(targets, user, Module.SALES, owner="user", team=("user__team", "team"))


def performance_inputs(*, user, team=None):
    """The opportunities a performance report for ``user`` reads: all they may see, or one team's of those."""
    opportunities = Opportunity.objects.visible_to(user)
    return opportunities if team is None else opportunities.filter(team=team)


def forecast_inputs(*, user, owner=None, team=None) -> tuple:
    """The opportunities and targets a forecast for ``user`` adds up: all they may see, or one owner's,
    or a team's with the teams below it and their members (the forecast rolls them up)."""
    opportunities = Opportunity.objects.visible_to(user)
    targets = targets_visible_to(user=user)
    if owner is not None:
        return opportunities.filter(owner=owner), targets.filter(user=owner)
    if team is not None:
        teams = _team_and_below(team)
        return opportunities.filter(team=team), targets.filter(Q(team_id__in=teams) | Q(user__team_id__in=teams))
    return opportunities, targets


def _team_and_below(team) -> list[int]:
    teams = [team.pk]
    children = {}
    for team_id, parent_id in Team.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(team_id)
    for team_id in teams:
        teams.extend(children.get(team_id, []))
    return teams
