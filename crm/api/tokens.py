"""Writes and checks of API tokens: made (the key shown once), revoked, and recognised on each request."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.models import BehaviourLog
from crm.scope import Module

from .models import ApiToken, ServiceAccount

KEY_START = "crm_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor, user, name: str, access: str, expires_at=None) -> tuple[ApiToken, str]:
    """Make a token for ``user`` and return it with its key, which is never stored and cannot be shown again."""
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name, such as the system that will use it.")})
    if access not in ApiToken.Access.values:
        raise ValidationError({"access": _("Choose read only or read and write.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    prefix = secrets.token_hex(4)
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        key_hash=_hash(key),
        access=access,
        expires_at=expires_at,
        created_by=actor,
    )
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=token, module=Module.API, detail={"user": user.pk})
    return token, key


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(actor=actor, action=BehaviourLog.Action.DELETE, obj=token, module=Module.API)


def token_for_key(key: str) -> ApiToken | None:
    """The active token whose key this is, with its user, or None."""
    if not key.startswith(KEY_START) or key.count("_") < 2:
        return None
    prefix = key[len(KEY_START) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    return token


def token_used(*, token: ApiToken, ip=None) -> None:
    """Note that the token was used: its last-used time to the minute, and a behaviour-log entry at most
    once per API_TOKEN_LOG_MINUTES, so a busy integration does not write a row per request."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    if cache.add(f"api-token-logged:{token.pk}", 1, timeout=settings.API_TOKEN_LOG_MINUTES * 60):
        log_action(
            actor=token.user,
            action=BehaviourLog.Action.LOGIN,
            obj=token,
            module=Module.API,
            detail={"via": "api_token", "token": token.prefix},
            ip=ip,
        )


@transaction.atomic
def service_account_create(*, actor, username: str, description: str = "", team=None, roles=()):
    """A user for a system: no password (it cannot sign in to the pages), the given roles, flagged as a
    service account. Its tokens are made by an administrator."""

    user = get_user_model()(username=username, team=team)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(roles)
    account = ServiceAccount.objects.create(user=user, description=description)
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=account, module=Module.API, detail={"user": user.pk})
    return account
