"""Two-factor sign-in: set up with a real authenticator code, sign in with it or a recovery code once,
the lockout counting wrong codes, the role requirement, and the alert on a sign-in from a new address."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles, two_factor
from accounts.models import RolePolicy
from crm.models import BehaviourLog, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
VERIFY = reverse("accounts:two-factor-verify")
SETUP = reverse("accounts:two-factor-setup")


def code_for(device, steps_ahead=0):
    """The code the authenticator app shows now (or ``steps_ahead`` periods later)."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0 - steps_ahead * device.step, digits=device.digits)
    return f"{value:0{device.digits}d}"


def sign_in(client, user, ip="10.1.1.1"):
    # The captcha appears once failures start; the test settings accept "PASSED".
    data = {"username": user.username, "password": PASSWORD, "captcha_0": "x", "captcha_1": "PASSED"}
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=ip)


def enter(client, code, ip="10.1.1.1", next_url="/"):
    return client.post(VERIFY, {"code": code, "next": next_url}, REMOTE_ADDR=ip)


def with_app(user):
    """A user who has set up an app; returns (device, recovery codes)."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device, two_factor._new_recovery_codes(user)


def fully_signed_in(client, user):
    """Signed in with both factors, as after the code page."""
    client.force_login(user)
    session = client.session
    session.pop(two_factor.SESSION_STEP, None)
    session.save()


def actions(user):
    return list(BehaviourLog.objects.filter(user=user).order_by("id").values_list("action", flat=True))


def test_a_user_sets_it_up_from_their_preferences_with_a_real_code_and_then_needs_it(client):
    user = UserFactory(role=roles.SALES_REP)
    client.force_login(user)
    assert b'id="setup-two-factor"' in client.get(reverse("accounts:preferences")).content

    page = client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    html = page.content.decode()
    assert "<svg" in html and not re.search(r"<script(?![^>]*\bsrc=)", html)  # drawn here, no inline script
    assert page.context["secret"].replace(" ", "") in re.sub(r"\s", "", html)
    assert client.get(SETUP).context["secret"] == page.context["secret"]  # the same key until confirmed

    refused = client.post(SETUP, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "code" in refused.context["form"].errors
    done = client.post(SETUP, {"code": code_for(device)})
    codes = done.context["codes"]
    assert len(codes) == settings.TWO_FACTOR_RECOVERY_CODES == 10 and len(set(codes)) == 10
    assert "no-store" in done["Cache-Control"]
    assert all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed and BehaviourLog.Action.TWO_FACTOR_ENABLED in actions(user)

    # signing in again: the password alone opens nothing
    client.post(reverse("accounts:logout"))
    response = sign_in(client, user)
    assert response.status_code == 302
    home = client.get("/customers/")
    assert home.status_code == 302 and home["Location"] == f"{VERIFY}?next=%2Fcustomers%2F"
    response = enter(client, code_for(device, steps_ahead=1), next_url="/customers/")
    assert response.status_code == 302 and response["Location"] == "/customers/"
    assert client.get("/customers/").status_code == 200
    assert BehaviourLog.Action.TWO_FACTOR_VERIFIED in actions(user)


def test_a_code_is_accepted_once(client):
    user = UserFactory()
    device, _codes = with_app(user)
    code = code_for(device)
    sign_in(client, user)
    assert enter(client, code).status_code == 302
    other = Client()
    sign_in(other, user)
    assert enter(other, code).status_code == 200  # replayed: refused
    assert other.get("/customers/").status_code == 302


def test_wrong_codes_count_as_failed_sign_ins_and_lock_out_after_the_limit(client):
    user = UserFactory()
    device, _codes = with_app(user)
    wrong = "123456" if code_for(device) != "123456" else "654321"
    sign_in(client, user)
    for _attempt in range(2):
        response = enter(client, wrong)
        assert response.status_code == 200 and "code" in response.context["form"].errors
    # The right password again does not wipe the count of wrong codes.
    sign_in(client, user)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 3):
        assert enter(client, wrong).status_code == 200
    response = enter(client, wrong)
    assert response.status_code == 429 and "Sign-in temporarily locked" in response.content.decode()
    assert "_auth_user_id" not in client.session  # the half-signed-in session is ended
    log = actions(user)
    assert log.count(BehaviourLog.Action.TWO_FACTOR_FAILED) == settings.AXES_FAILURE_LIMIT
    assert not BehaviourLog.objects.filter(action=BehaviourLog.Action.LOGIN_FAILED).exists()
    # Locked: the password is refused now, even from another address.
    assert sign_in(Client(), user, ip="10.2.2.2").status_code == 429


def test_the_right_code_clears_the_failures(client):
    user = UserFactory()
    device, _codes = with_app(user)
    wrong = "123456" if code_for(device) != "123456" else "654321"
    sign_in(client, user)
    enter(client, wrong)
    enter(client, code_for(device))
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_a_recovery_code_signs_in_once(client):
    user = UserFactory()
    _device, codes = with_app(user)
    sign_in(client, user)
    assert enter(client, codes[0].upper()[:4] + "-" + codes[0][4:]).status_code == 302
    assert BehaviourLog.Action.RECOVERY_CODE_USED in actions(user)
    assert StaticToken.objects.filter(device__user=user).count() == 9

    other = Client()
    sign_in(other, user)
    response = enter(other, codes[0])
    assert response.status_code == 200 and "code" in response.context["form"].errors
    assert enter(other, codes[1]).status_code == 302


def test_recovery_codes_are_replaced_and_two_factor_turned_off_only_with_the_password(client):
    user = UserFactory()
    _device, old_codes = with_app(user)
    fully_signed_in(client, user)
    client.post(reverse("accounts:recovery-codes"), {"password": "wrong"})
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(old_codes)
    new_codes = client.post(reverse("accounts:recovery-codes"), {"password": PASSWORD}).context["codes"]
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new_codes)
    assert not set(new_codes) & set(old_codes)

    client.post(reverse("accounts:two-factor-disable"), {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=user).exists()
    client.post(reverse("accounts:two-factor-disable"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticToken.objects.exists()
    assert BehaviourLog.Action.TWO_FACTOR_DISABLED in actions(user)
    assert BehaviourLog.Action.RECOVERY_CODES_REGENERATED in actions(user)


def test_administrators_must_set_it_up_after_the_password(client, settings):
    settings.TWO_FACTOR_ENFORCED = True
    admin = UserFactory(role=roles.ADMINISTRATOR)
    sign_in(client, admin)
    response = client.get("/customers/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["required"]
    device = TOTPDevice.objects.get(user=admin)
    client.post(SETUP, {"code": code_for(device), "next": "/customers/"})
    assert client.get("/customers/").status_code == 200


def test_the_requirement_follows_the_role_policy_and_superusers_follow_the_administrators(settings):
    settings.TWO_FACTOR_ENFORCED = True
    rep, superuser = UserFactory(role=roles.SALES_REP), UserFactory(is_superuser=True, is_staff=True)
    assert RolePolicy.objects.get(group__name=roles.ADMINISTRATOR).two_factor_required  # the data migration
    assert not two_factor.two_factor_required(rep)
    assert two_factor.two_factor_required(superuser)
    RolePolicy.objects.update_or_create(
        group=Group.objects.get(name=roles.SALES_REP), defaults={"two_factor_required": True}
    )
    assert two_factor.two_factor_required(rep)
    settings.TWO_FACTOR_ENFORCED = False
    assert not two_factor.two_factor_required(rep) and not two_factor.two_factor_required(superuser)


def test_the_role_policy_is_edited_in_the_role_admin(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    role = Group.objects.get(name=roles.SALES_REP)
    page = client.get(reverse("admin:accounts_role_change", args=[role.pk]))
    assert page.status_code == 200 and "two_factor_required" in page.content.decode()


def _reverse_or_none(name, **arguments):
    try:
        return reverse(name, **arguments)
    except NoReverseMatch:
        return None


def _all_urls():
    """Every named URL of the project, its arguments filled with placeholders."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}{pattern.name}"
                if isinstance(pattern.pattern, RegexPattern):
                    # Admin's re_path views; one whose group takes only app labels is left to the others.
                    regex = pattern.pattern.regex
                    placeholders = {"kwargs": dict.fromkeys(regex.groupindex, "1")} if regex.groupindex else {}
                    url = _reverse_or_none(
                        name, args=["1"] * regex.groups if not regex.groupindex else None, **placeholders
                    )
                else:
                    kwargs = {
                        arg: 1 if type(converter).__name__ == "IntConverter" else "x"
                        for arg, converter in pattern.pattern.converters.items()
                    }
                    url = reverse(name, kwargs=kwargs)
                if url is not None:
                    yield name, url

    return sorted(set(walk(get_resolver().url_patterns)))


EXEMPT = {"accounts:logout", "accounts:two-factor-verify", "accounts:two-factor-setup", "accounts:language"}


def test_a_half_signed_in_session_is_sent_to_the_code_page_from_every_page(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    with_app(user)
    sign_in(client, user)
    urls = _all_urls()
    assert len(urls) > 100
    for name, url in urls:
        if name in EXEMPT:
            continue
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 403, (name, url)
            continue
        assert response.status_code == 302 and response["Location"].startswith(VERIFY), (name, url)
    assert "admin:index" in dict(urls)
    response = client.get("/customers/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith(VERIFY)


def test_a_sign_in_from_a_new_address_alerts_the_user_once_in_their_language(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(Client(), user, ip="10.1.1.1")  # the first sign-in seen: nothing to compare with
        sign_in(Client(), user, ip="10.1.1.1")
        assert not Notification.objects.exists() and not mail.outbox
        sign_in(Client(), user, ip="203.0.113.9")
        sign_in(Client(), user, ip="203.0.113.9")
    notification = Notification.objects.get(user=user)
    assert "新" in notification.title and "203.0.113.9" in notification.body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert BehaviourLog.objects.filter(user=user, action=BehaviourLog.Action.NEW_SIGN_IN_ADDRESS).count() == 1


def test_an_administrator_resets_a_lost_phone_from_the_user_admin(client):
    user = UserFactory()
    with_app(user)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    client.post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [user.pk]}
    )
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticToken.objects.exists()
    entry = BehaviourLog.objects.get(action=BehaviourLog.Action.TWO_FACTOR_DISABLED)
    assert entry.user == superuser and entry.object_id == str(user.pk)
    assert two_factor.sign_in_step(user) is None  # free to sign in; a role that requires it asks for a new app


def test_a_burst_of_wrong_codes_alerts_the_administrators_like_wrong_passwords(client, settings):
    settings.ALERT_FAILED_LOGINS, settings.AXES_FAILURE_LIMIT = 3, 100
    administrator = UserFactory(role=roles.ADMINISTRATOR)
    user = UserFactory()
    device, _codes = with_app(user)
    wrong = "123456" if code_for(device) != "123456" else "654321"
    sign_in(client, user, ip="10.66.0.2")
    for _attempt in range(3):
        enter(client, wrong, ip="10.66.0.2")
    alert = Notification.objects.get(user=administrator, title="Burst of failed sign-ins", body__contains=user.username)
    assert "3 failed sign-ins" in alert.body
