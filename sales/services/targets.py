"""Writes to sales targets."""

from django.db import transaction

from crm.audit import log_action
from crm.models import BehaviourLog

from ..analytics import month_start
from ..models import SalesTarget


@transaction.atomic
def target_save(*, actor, data: dict) -> SalesTarget:
    """Set the target of a user or team for a period (replacing the one already there)."""
    start = month_start(data["period_start"])
    if data["period"] == SalesTarget.Period.QUARTER:
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
    elif data["period"] == SalesTarget.Period.YEAR:
        start = start.replace(month=1)
    target, created = SalesTarget.objects.update_or_create(
        user=data.get("user"),
        team=data.get("team"),
        period=data["period"],
        period_start=start,
        defaults={"amount": data["amount"]},
    )
    log_action(
        actor=actor,
        action=BehaviourLog.Action.CREATE if created else BehaviourLog.Action.UPDATE,
        obj=target,
        detail={"amount": str(target.amount)},
    )
    return target
