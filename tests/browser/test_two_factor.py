"""An administrator in a real browser: the role requires a second factor, so after the password they set up
an authenticator app from the QR page, keep the recovery codes, and the next sign-in asks for a code."""

import base64

import pytest
from django_otp.oath import totp
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts import roles
from crm.models import BehaviourLog
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def app_code(secret_text, steps_ahead=0):
    """What an authenticator app that was given the key shows (``steps_ahead`` periods from now)."""
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, step=30, t0=-30 * steps_ahead, digits=6):06d}"


def sign_in_with_password(browser, live_server):
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys("root")
    browser.find_element(By.NAME, "password").send_keys("secret-pass-123")
    browser.find_element(By.ID, "login-submit").click()


def test_an_administrator_sets_up_the_app_and_signs_in_with_its_code(browser, live_server, settings):
    settings.TWO_FACTOR_ENFORCED = True
    admin = UserFactory(username="root", role=roles.ADMINISTRATOR)
    wait = WebDriverWait(browser, 10)

    # given an administrator who has no app yet, signing in with the password
    sign_in_with_password(browser, live_server)

    # then the set-up page is all that opens, with a QR code drawn on the page and the key as text
    wait.until(EC.presence_of_element_located((By.ID, "two-factor-required")))
    browser.get(f"{live_server.url}/customers/")
    secret = wait.until(EC.presence_of_element_located((By.ID, "two-factor-secret"))).text
    assert browser.find_element(By.CSS_SELECTOR, "#two-factor-qr svg").is_displayed()

    # when they type the code their app shows
    browser.find_element(By.NAME, "code").send_keys(app_code(secret))
    browser.find_element(By.ID, "two-factor-confirm").click()

    # then they get ten recovery codes once, and go on to the page they asked for
    codes = wait.until(EC.presence_of_element_located((By.ID, "recovery-codes"))).find_elements(By.TAG_NAME, "li")
    assert len(codes) == 10
    browser.find_element(By.ID, "recovery-codes-done").click()
    wait.until(EC.url_contains("/customers/"))
    assert browser.find_element(By.TAG_NAME, "h1").is_displayed()

    # and the next sign-in asks for the code after the password
    browser.delete_all_cookies()
    sign_in_with_password(browser, live_server)
    field = wait.until(EC.presence_of_element_located((By.ID, "two-factor-submit")))
    browser.find_element(By.NAME, "code").send_keys(app_code(secret, steps_ahead=1))
    field.click()
    wait.until(EC.presence_of_element_located((By.ID, "my-numbers")))
    logged = set(BehaviourLog.objects.filter(user=admin).values_list("action", flat=True))
    assert {BehaviourLog.Action.TWO_FACTOR_ENABLED, BehaviourLog.Action.TWO_FACTOR_VERIFIED} <= logged
