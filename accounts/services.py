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
