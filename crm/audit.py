"""The behaviour log: the one way services record who did what."""

import contextvars
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from .models import BehaviourLog


def history_author(obj, actor):
    """Name ``actor`` as the author of the field-history row (django-simple-history) the next save or
    delete of ``obj`` writes, and return ``obj``: ``history_author(customer, actor).save()``."""
    obj._history_user = actor
    return obj


# Sent for every entry, in the service's transaction, with ``entry`` and ``obj`` (the record or None): the
# webhook engine (crm/api/webhooks.py) turns changes of business records into events from it.
action_logged = Signal()
# The same for a set-based write (``log_actions``): once, with ``rows`` (the entries' fields) and ``objs``.
actions_logged = Signal()

# The middleware puts the client address here so services need not pass requests around.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


def log_action(*, actor, action, obj=None, module="", detail=None, username=None, ip=None):
    """Record an action; call it inside the service's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    entry = BehaviourLog(
        user=user,
        username=username if username is not None else (user.get_username() if user else ""),
        action=action,
        module=module or (obj._meta.app_label if obj is not None else ""),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        ip=ip or current_ip.get(),
        detail=detail or {},
    )
    entry.save()
    action_logged.send(sender=BehaviourLog, entry=entry, obj=obj)
    return entry


def log_actions(*, actor, actions, module="") -> None:
    """Record one action per record of a set-based write, in one COPY: ``actions`` is a list of
    ``(action, obj, detail)``. The entries are what :func:`log_action` would write one by one, and
    ``actions_logged`` carries them (as ``rows``, dicts of the entries' fields, with their records as ``objs``)
    to the webhook engine once. Call it inside the service's transaction."""
    # Imported here: the crm.importexport package, loaded with it, writes the behaviour log through this module.
    from .importexport.bulk import copy_insert_values

    if not actions:
        return
    user = actor if getattr(actor, "is_authenticated", False) else None
    fixed = {
        "user_id": user.pk if user else None,
        "username": user.get_username() if user else "",
        "ip": current_ip.get(),
    }
    rows = [
        {
            **fixed,
            "action": action,
            "module": module or obj._meta.app_label,
            "object_type": obj._meta.label_lower,
            "object_id": str(obj.pk),
            "object_repr": str(obj)[:255],
            "detail": detail or {},
        }
        for action, obj, detail in actions
    ]
    copy_insert_values(BehaviourLog, rows)
    actions_logged.send(sender=BehaviourLog, rows=rows, objs=[obj for _action, obj, _detail in actions])


@transaction.atomic
def behaviour_log_purge(*, now=None) -> int:
    """Delete entries older than the retention setting; returns how many went."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BEHAVIOUR_LOG_RETENTION_DAYS)
    deleted, _ = BehaviourLog.objects.filter(at__lt=cutoff).delete()
    return deleted
