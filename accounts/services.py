from axes.utils import reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from crm.audit import log_action
from crm.crypto import blind_index
from crm.middleware import client_ip
from crm.models import BehaviourLog
from crm.notifications import notify
from crm.scope import Module

from .models import KnownSignInAddress


def user_signed_in(*, user, request) -> None:
    log_action(actor=user, action=BehaviourLog.Action.LOGIN, module=Module.ACCOUNTS)
    if request is not None:
        sign_in_address_check(user=user, ip=client_ip(request))
    if user.language and request is not None:
        translation.activate(user.language)


def sign_in_address_check(*, user, ip: str | None) -> bool:
    """Remember the address a user signed in from; a new one (not their first) alerts the user.

    Addresses are kept as keyed hashes: enough to recognise one, not to list where anyone has been.
    Returns True when the user was alerted.
    """
    if not ip:
        return False
    address_hash = blind_index(ip)
    known = KnownSignInAddress.objects.filter(user=user)
    had_any = known.exists()
    _entry, created = KnownSignInAddress.objects.get_or_create(user=user, address_hash=address_hash)
    if not created:
        known.filter(address_hash=address_hash).update(last_seen=timezone.now())
        return False
    if not had_any:
        return False  # the first sign-in we see: nothing to compare it with
    log_action(
        actor=user, action=BehaviourLog.Action.NEW_SIGN_IN_ADDRESS, obj=user, module=Module.ACCOUNTS, detail={"ip": ip}
    )
    with translation.override(user.language or settings.LANGUAGE_CODE):
        when = date_format(timezone.localtime(), "DATETIME_FORMAT")
        notify(
            user=user,
            title=gettext("Sign-in from a new address"),
            body=gettext(
                "Your account was signed in to from %(ip)s, an address not seen for it before, at %(when)s. "
                "If this was not you, change your password and sign out everywhere from your preferences."
            )
            % {"ip": ip, "when": when},
            url=reverse("accounts:preferences"),
            email=True,
        )
    return True


def user_signed_out(*, user) -> None:
    log_action(actor=user, action=BehaviourLog.Action.LOGOUT, module=Module.ACCOUNTS)


def user_sign_in_failed(*, username: str) -> None:
    log_action(actor=None, username=username[:150], action=BehaviourLog.Action.LOGIN_FAILED, module=Module.ACCOUNTS)


@transaction.atomic
def user_update_preferences(*, user, language: str | None = None, timezone: str | None = None) -> None:
    fields = []
    if language is not None:
        user.language = language
        fields.append("language")
    if timezone is not None:
        user.timezone = timezone
        fields.append("timezone")
    if fields:
        user.save(update_fields=fields)


@transaction.atomic
def user_sign_out_everywhere(*, actor, user) -> int:
    """End every session of ``user`` on every device; returns how many there were.

    Sessions live in the database and store only the user's id, so the active ones are decoded
    and matched; there are few enough active sessions for that to stay cheap.
    """

    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=keys).delete()
    log_action(actor=actor, action=BehaviourLog.Action.LOGOUT, obj=user, detail={"everywhere": len(keys)})
    return len(keys)


@transaction.atomic
def user_unlock(*, actor, user) -> int:
    """Clear the sign-in lockout of ``user`` (django-axes' failure counters); returns the counters cleared."""

    cleared = reset(username=user.get_username())
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=user, detail={"unlocked": cleared})
    return cleared
