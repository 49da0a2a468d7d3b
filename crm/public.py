"""Pages anyone may open without signing in (registration, public ticket and lead forms).

They share one way to hold off abuse: a captcha on the form (``captcha.fields.CaptchaField`` from
django-simple-captcha, offline) and a per-address limit on posts through :func:`over_limit`.
Public views must be marked with ``django.contrib.auth.decorators.login_not_required``.
"""

import secrets

from django.conf import settings
from django_ratelimit.core import is_ratelimited


def over_limit(request, *, group: str, rate: str | None = None) -> bool:
    """Count this POST against ``group`` for the client's address; True once past ``rate``.

    ``rate`` is django-ratelimit's "N/period" ("10/h"); it defaults to ``PUBLIC_FORM_RATE``.
    The counter lives in the cache (Redis), so every web process shares it. django-ratelimit's "ip"
    key reads the address through ``RATELIMIT_IP_META_KEY``, i.e. ``crm.middleware.client_ip``: behind
    a trusted proxy each visitor has a bucket of their own, and a forged X-Forwarded-For buys no new one.
    """
    return is_ratelimited(
        request, group=group, key="ip", rate=rate or settings.PUBLIC_FORM_RATE, method="POST", increment=True
    )


# Letters and digits nobody mistakes for one another in the captcha's font.
CAPTCHA_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def captcha_challenge() -> tuple[str, str]:
    """django-simple-captcha's challenge: the text shown and the answer (compared case-insensitively)."""
    text = "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(settings.CAPTCHA_LENGTH))
    return text, text.lower()
