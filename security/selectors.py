"""Reads for the security pages. The behaviour log is an administrators' view: the permission
``crm.view_behaviourlog`` opens the whole log (it records people, not customer records)."""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone

from crm.models import BehaviourLog

from .models import Backup


def behaviour_log_filter(*, data: dict):
    """The log narrowed by the viewer's cleaned filter form data, newest first."""
    entries = BehaviourLog.objects.select_related("user")
    tz = timezone.get_current_timezone()
    if data.get("since"):
        entries = entries.filter(at__gte=timezone.make_aware(datetime.combine(data["since"], time.min), tz))
    if data.get("until"):
        entries = entries.filter(at__lte=timezone.make_aware(datetime.combine(data["until"], time.max), tz))
    if data.get("user"):
        entries = entries.filter(user=data["user"])
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("module"):
        entries = entries.filter(module=data["module"])
    if data.get("q"):
        q = data["q"]
        entries = entries.filter(Q(username__icontains=q) | Q(object_repr__icontains=q) | Q(ip__startswith=q))
    return entries.order_by("-at", "-id")


def behaviour_log_modules() -> list[str]:
    # Without the log's default order, which DISTINCT would otherwise add to the selected columns: one row per
    # entry instead of one per module (a million strings read into memory for a million entries).
    return sorted(m for m in BehaviourLog.objects.order_by().values_list("module", flat=True).distinct() if m)


def backups_list():
    return Backup.objects.all()
