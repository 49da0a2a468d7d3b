from django.db import transaction
from django.utils import translation

from crm.audit import log_action
from crm.models import BehaviourLog


def user_signed_in(*, user, request) -> None:
    log_action(actor=user, action=BehaviourLog.Action.LOGIN, module="accounts")
    if user.language and request is not None:
        translation.activate(user.language)


def user_signed_out(*, user) -> None:
    log_action(actor=user, action=BehaviourLog.Action.LOGOUT, module="accounts")


def user_sign_in_failed(*, username: str) -> None:
    log_action(actor=None, username=username[:150], action=BehaviourLog.Action.LOGIN_FAILED, module="accounts")


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
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

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
    from axes.utils import reset

    cleared = reset(username=user.get_username())
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=user, detail={"unlocked": cleared})
    return cleared
