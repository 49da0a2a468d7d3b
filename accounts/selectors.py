from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from crm.scope import visible_users, visible_users_key


def assignable_users(*, user, module: str):
    """Users that ``user`` may make the owner of a record in ``module``: within their own scope."""
    return visible_users(user, module)


def assignable_users_key(*, user, module: str) -> tuple:
    """What :func:`assignable_users` builds its query from: equal keys, the same query."""
    return visible_users_key(user, module)


def sign_in_failures(*, ip: str | None, username: str = "") -> int:
    """Recent failed sign-ins (django-axes' counters) for this client address or this user name."""

    condition = Q(ip_address=ip) if ip else Q(pk__in=[])
    if username:
        condition |= Q(username=username)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(condition, attempt_time__gte=since)
    return max(attempts.values_list("failures_since_start", flat=True), default=0)
