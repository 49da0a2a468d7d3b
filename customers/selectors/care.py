"""Reads for the customer-care pages. Every query starts from ``CareAction.objects.visible_to(user)``."""

from datetime import date, timedelta

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.selectors import assignable_users
from crm.scope import Module

from ..models import CareAction, CarePlan, ContactCadence

UPCOMING_DAYS = 14
SECTIONS = ("today", "overdue", "upcoming", "done")


def care_assignees(*, user):
    """Whose actions the user may list: the users within their customer scope."""
    return assignable_users(user=user, module=Module.CUSTOMERS).order_by("username")


def care_actions(*, user, assignee=None, everyone: bool = False):
    """Care actions in the user's scope; by default only those assigned to the user themselves,
    or to ``assignee`` (already checked to be within :func:`care_assignees`), or all with ``everyone``."""
    actions = CareAction.objects.visible_to(user)
    if not everyone:
        actions = actions.filter(assignee=assignee or user)
    return actions


def care_section(actions, section: str, *, today: date | None = None):
    """One list of the care page: due today, overdue, upcoming (two weeks) or recently done."""
    today = today or timezone.localdate()
    pending = actions.filter(status=CareAction.Status.PENDING)
    related = ("customer", "contact", "plan", "cadence", "assignee")
    if section == "overdue":
        queryset = pending.filter(due_on__lt=today).order_by("due_on", "id")
    elif section == "upcoming":
        queryset = pending.filter(due_on__gt=today, due_on__lte=today + timedelta(days=UPCOMING_DAYS))
        queryset = queryset.order_by("due_on", "id")
    elif section == "done":
        queryset = actions.exclude(status=CareAction.Status.PENDING).order_by("-done_at", "-id")
    else:
        queryset = pending.filter(due_on=today).order_by("customer__name", "id")
    return queryset.select_related(*related)


def care_counts(actions, *, today: date | None = None) -> dict:
    """How many pending actions are due today, overdue and upcoming, in one query."""
    today = today or timezone.localdate()
    pending = Q(status=CareAction.Status.PENDING)
    return actions.aggregate(
        today=Count("pk", filter=pending & Q(due_on=today)),
        overdue=Count("pk", filter=pending & Q(due_on__lt=today)),
        upcoming=Count("pk", filter=pending & Q(due_on__gt=today, due_on__lte=today + timedelta(days=UPCOMING_DAYS))),
    )


def care_action_get(*, user, pk) -> CareAction:
    return get_object_or_404(
        CareAction.objects.visible_to(user).select_related("customer", "contact", "plan", "assignee"), pk=pk
    )


def care_plans():
    return CarePlan.objects.select_related("group").order_by("-is_active", "name")


def contact_cadences():
    return ContactCadence.objects.select_related("group").order_by("-is_active", "interval_days", "name")
