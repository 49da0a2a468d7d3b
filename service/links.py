"""Signed links for people without an account: the ticket tracking page and the satisfaction survey.

A link carries the ticket id signed with the project's secret key (``django.core.signing``) and a
salt per purpose, so a tracking link cannot open a survey and a changed id is refused.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

TRACKING_SALT = "service.ticket.tracking"
SURVEY_SALT = "service.ticket.survey"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def tracking_token(ticket) -> str:
    return signing.dumps(ticket.pk, salt=TRACKING_SALT, compress=True)


def survey_token(ticket) -> str:
    return signing.dumps(ticket.pk, salt=SURVEY_SALT, compress=True)


def tracking_url(ticket) -> str:
    return _absolute(reverse("service:public-ticket-track", args=[tracking_token(ticket)]))


def survey_url(ticket) -> str:
    return _absolute(reverse("service:public-survey", args=[survey_token(ticket)]))


def ticket_id_from(token: str, *, salt: str) -> int | None:
    """The ticket id a link was made for, or None when it was changed or has expired."""
    max_age = settings.SERVICE_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
