"""A short-lived cache of computed report figures, per user, filters, language and time zone.

Aggregating a million rows takes around a second; a dashboard, its big screen refreshing every minute and
a saved report opened by several people ask the same question many times. Results are kept for
``REPORT_CACHE_SECONDS`` (0 turns caching off). The key holds the user's id, so one person's scoped figures
never answer another's request; staleness is bounded by the timeout, not by invalidation.
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation


def cache_seconds() -> int:
    return getattr(settings, "REPORT_CACHE_SECONDS", 120)


def cached(kind: str, *, user, params, compute):
    """``compute()``'s result, from the cache when the same user asked the same within the timeout."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    fingerprint = json.dumps(
        [kind, user.pk, params, translation.get_language(), str(timezone.get_current_timezone())],
        sort_keys=True,
        default=str,
    )
    key = "reports:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
