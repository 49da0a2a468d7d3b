"""Signed links for people without an account: the one way every app makes and reads them.

A link carries a record's id signed with the project's secret key (``django.core.signing``) and a
purpose of its own (the salt), so a link for one page cannot open another and a changed id is refused.
Links that act on a person's record expire after ``PUBLIC_LINK_MAX_AGE_DAYS``; a purpose declared with
``expires=False`` (an embeddable web form, an event's open registration link, unsubscribe) does not,
since those are printed and pasted into sites, and it carries no timestamp, so a record always gets the
same link. Reading a bad link raises :class:`BadLink`; a view answers 404 (see :func:`read_or_404`).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class LinkPurpose:
    name: str
    expires: bool = True


class BadLink(Exception):
    """The link was altered, is for another purpose, or has expired."""


def _signer(purpose: LinkPurpose):
    return signing.TimestampSigner(salt=purpose.name) if purpose.expires else signing.Signer(salt=purpose.name)


def make_token(purpose: LinkPurpose, pk: int) -> str:
    return _signer(purpose).sign_object(pk)


def read_token(purpose: LinkPurpose, token: str) -> int:
    """The id the link was made for; :class:`BadLink` when it was changed, is foreign or has expired."""
    try:
        if purpose.expires:
            value = _signer(purpose).unsign_object(token, max_age=settings.PUBLIC_LINK_MAX_AGE_DAYS * 24 * 3600)
        else:
            value = _signer(purpose).unsign_object(token)
    except (signing.BadSignature, ValueError) as error:  # SignatureExpired is a BadSignature too
        raise BadLink(str(error)) from error
    if not isinstance(value, int):
        raise BadLink("unexpected payload")
    return value


def read_or_404(purpose: LinkPurpose, token: str) -> int:
    try:
        return read_token(purpose, token)
    except BadLink as error:
        raise Http404(_("This link is not valid or has expired.")) from error


def absolute(path: str) -> str:
    """The full address of a path on this site, for every link read outside it (e-mails, share pages,
    QR codes, notifications). ``SITE_URL`` follows where the app is served (HOST and PORT) unless set."""
    return settings.SITE_URL.rstrip("/") + path
