"""Two-factor sign-in: an authenticator app (TOTP) and one-time recovery codes, on django-otp's devices.

After the password, :func:`sign_in_step` decides what the session still needs: ``"verify"`` (the user
has an app: enter its code), ``"enrol"`` (the user's role requires an app and there is none: set one up)
or nothing. The step is kept in the session, so :class:`accounts.middleware.TwoFactorMiddleware` reads
it without a query, and cleared once the second factor is given. Wrong codes count as failed sign-ins in
django-axes (accounts/lockout.py), so the lockout covers both factors.
"""

import base64
import re

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm.audit import log_action
from crm.models import BehaviourLog
from crm.scope import Module

from . import roles
from .models import RolePolicy

SESSION_STEP = "two_factor_step"
VERIFY, ENROL = "verify", "enrol"
DEVICE_NAME = "authenticator"
_NOT_CODE = re.compile(r"[\s-]")


def two_factor_required(user) -> bool:
    """Whether the user's roles require a second factor; a superuser without a role follows the
    Administrator role's policy."""
    if not settings.TWO_FACTOR_ENFORCED:
        return False
    policies = RolePolicy.objects.filter(group__user=user)
    if user.is_superuser and not user.groups.exists():
        policies = RolePolicy.objects.filter(group__name=roles.ADMINISTRATOR)
    return policies.filter(two_factor_required=True).exists()


def confirmed_app(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def sign_in_step(user) -> str | None:
    """What a password sign-in of ``user`` still lacks: VERIFY, ENROL or None."""
    if confirmed_app(user) is not None:
        return VERIFY
    return ENROL if two_factor_required(user) else None


def pending_step(request) -> str | None:
    return request.session.get(SESSION_STEP)


def login_step(request, user) -> str | None:
    """:func:`sign_in_step` for this sign-in, worked out once (django-axes and the session both ask)."""
    if "two_factor_step" not in request.__dict__:
        request.two_factor_step = sign_in_step(user)
    return request.two_factor_step


def session_start(request, user) -> None:
    """Called at every password sign-in: note in the session what is still to be done."""
    step = login_step(request, user)
    if step:
        request.session[SESSION_STEP] = step
    else:
        request.session.pop(SESSION_STEP, None)


def _session_verified(request) -> None:
    request.session.pop(SESSION_STEP, None)
    # A new session key once the sign-in is complete, as after a password.
    request.session.cycle_key()


def status(user) -> dict:
    """What the settings page shows: whether an app is set up, recovery codes left, whether it is required."""
    app = confirmed_app(user)
    codes = StaticToken.objects.filter(device__user=user, device__confirmed=True).count() if app else 0
    return {"enabled": app is not None, "codes_left": codes, "required": two_factor_required(user)}


# Enrolment -------------------------------------------------------------------------------------------


def enrolment_device(user) -> TOTPDevice:
    """The app being set up: one unconfirmed device kept across page loads, so the QR code stays put."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code, drawn here so no script or outside service sees it."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, omitsize=False)


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _i in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enrol(*, request, user, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app with a code it shows; returns the recovery codes (shown once, never again)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(_NOT_CODE.sub("", code)):
        raise ValidationError({"code": _("That code is not right. Check the time on your phone and try again.")})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    log_action(actor=user, action=BehaviourLog.Action.TWO_FACTOR_ENABLED, obj=user, module=Module.ACCOUNTS)
    if pending_step(request):
        _session_verified(request)
    return codes


def _check_password(user, password: str) -> None:
    if not user.check_password(password):
        raise ValidationError({"password": _("Your password is not right.")})


@transaction.atomic
def recovery_codes_regenerate(*, user, password: str) -> list[str]:
    """New recovery codes; the old ones stop working."""
    _check_password(user, password)
    if confirmed_app(user) is None:
        raise ValidationError(_("Set up two-factor sign-in first."))
    codes = _new_recovery_codes(user)
    log_action(actor=user, action=BehaviourLog.Action.RECOVERY_CODES_REGENERATED, obj=user, module=Module.ACCOUNTS)
    return codes


@transaction.atomic
def two_factor_disable(*, user, password: str) -> None:
    """Remove the app and the recovery codes. A role that requires them asks for a new app at once."""
    _check_password(user, password)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log_action(actor=user, action=BehaviourLog.Action.TWO_FACTOR_DISABLED, obj=user, module=Module.ACCOUNTS)


@transaction.atomic
def two_factor_reset(*, actor, user) -> None:
    """An administrator removes a user's app and recovery codes (a lost phone); logged as the actor's."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log_action(actor=actor, action=BehaviourLog.Action.TWO_FACTOR_DISABLED, obj=user, detail={"reset": True})


# Sign-in ---------------------------------------------------------------------------------------------


def locked_out(request, user) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": user.get_username()})


def second_factor_verify(*, request, user, code: str) -> bool:
    """Check a code from the app or a recovery code; True completes the sign-in.

    A wrong code is a failed sign-in for django-axes (the user name and the address), so guessing
    ends in the same lockout as guessing passwords.
    """
    code = _NOT_CODE.sub("", code).lower()
    with transaction.atomic():
        method = None
        app = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if app is not None and code.isdigit() and app.verify_token(code):
            method = "app"
        elif code and not code.isdigit():
            recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if recovery is not None and recovery.verify_token(code):
                method = "recovery_code"
        if method is not None:
            left = StaticToken.objects.filter(device__user=user).count()
            action = (
                BehaviourLog.Action.RECOVERY_CODE_USED
                if method == "recovery_code"
                else BehaviourLog.Action.TWO_FACTOR_VERIFIED
            )
            log_action(
                actor=user, action=action, obj=user, module=Module.ACCOUNTS, detail={"recovery_codes_left": left}
            )
            _session_verified(request)
            AxesProxyHandler.update_request(request)
            AxesProxyHandler.get_implementation().second_factor_passed(request, user)
            return True
        log_action(actor=user, action=BehaviourLog.Action.TWO_FACTOR_FAILED, obj=user, module=Module.ACCOUNTS)
    # Outside the transaction: django-axes writes its counters in transactions of its own.
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username(), "second_factor": True}, request=request
    )
    return False
