"""Signed links for the pages a customer opens without signing in.

Each link carries a small payload signed with the project's secret and a purpose of its own (the
salt), so a registration link cannot be replayed as a cancel or survey link. Links that act on a
person's record expire after ``MARKETING_LINK_MAX_AGE_DAYS``; the embeddable web-to-lead form
and an event's open registration link do not, since they are printed and pasted into sites.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

INVITATION = "marketing.invitation"
EVENT = "marketing.event"
CANCEL = "marketing.cancel"
SURVEY = "marketing.survey"
UNSUBSCRIBE = "marketing.unsubscribe"
WEB_FORM = "marketing.web-form"

EXPIRING = {INVITATION, CANCEL, SURVEY}


class BadLink(Exception):
    """The link was altered, is for another purpose, or has expired."""


def _signer(purpose: str):
    # Links that never expire carry no timestamp, so the same record always gets the same link.
    return signing.TimestampSigner(salt=purpose) if purpose in EXPIRING else signing.Signer(salt=purpose)


def make_token(purpose: str, pk: int) -> str:
    return _signer(purpose).sign_object(pk)


def read_token(purpose: str, token: str) -> int:
    try:
        if purpose in EXPIRING:
            value = _signer(purpose).unsign_object(token, max_age=settings.MARKETING_LINK_MAX_AGE_DAYS * 24 * 3600)
        else:
            value = _signer(purpose).unsign_object(token)
    except (signing.BadSignature, ValueError) as error:  # SignatureExpired is a BadSignature too
        raise BadLink(str(error)) from error
    if not isinstance(value, int):
        raise BadLink("unexpected payload")
    return value


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def invitation_url(invitation) -> str:
    return absolute(reverse("marketing:public-register", args=[make_token(INVITATION, invitation.pk)]))


def event_url(event) -> str:
    return absolute(reverse("marketing:public-event", args=[make_token(EVENT, event.pk)]))


def cancel_url(registration) -> str:
    return absolute(reverse("marketing:public-cancel", args=[make_token(CANCEL, registration.pk)]))


def survey_url(registration) -> str:
    return absolute(reverse("marketing:public-survey", args=[make_token(SURVEY, registration.pk)]))


def unsubscribe_url(customer) -> str:
    return absolute(reverse("marketing:public-unsubscribe", args=[make_token(UNSUBSCRIBE, customer.pk)]))


def web_form_url(campaign) -> str:
    return absolute(reverse("marketing:public-web-form", args=[make_token(WEB_FORM, campaign.pk)]))
