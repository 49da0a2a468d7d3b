"""The administrator's journey, by clicking: signed in with the second factor their role requires, they open
Administration from the user menu, add a user with a password, a name, a team and the Sales rep role, and
the new user signs in with that password (a rep needs no second factor) and lands on the home page with
the rep's menu, in the language the administrator chose for them."""

import pytest
from selenium.webdriver.common.by import By

from accounts import roles
from accounts.models import User
from tests.world import build_world

from .journey import (
    LANGUAGES,
    fill,
    no_server_error,
    say,
    shot,
    sign_in,
    text,
    until_text,
    until_url,
    use_language,
    wait,
)
from .test_two_factor import app_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_PASSWORD = "Qinghe-2026-spring"  # noqa: S105 - the new user's first password, typed in the form


def choose_in_autocomplete(browser, field_id, typed):
    """Pick a value in the admin's autocomplete box (select2) as a person does: open, type, click the match."""
    browser.find_element(By.CSS_SELECTOR, f"span[aria-labelledby='select2-{field_id}-container']").click()
    search = wait(browser).until(lambda driver: driver.find_element(By.CSS_SELECTOR, ".select2-search__field"))
    search.send_keys(typed)
    option = wait(browser).until(
        lambda driver: next(
            (o for o in driver.find_elements(By.CSS_SELECTOR, ".select2-results__option") if o.text == typed), None
        )
    )
    option.click()


def choose_in_selector(browser, field_id, label):
    """Move one entry from the available list to the chosen list of a two-list selector, by clicking."""
    available = browser.find_element(By.ID, f"{field_id}_from")
    next(o for o in available.find_elements(By.TAG_NAME, "option") if o.text == label).click()
    browser.find_element(By.ID, f"{field_id}_add").click()
    chosen = browser.find_element(By.ID, f"{field_id}_to")
    assert label in [o.text for o in chosen.find_elements(By.TAG_NAME, "option")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_adds_a_rep_with_role_and_team_who_then_signs_in(journey_browser, live_server, settings, language):
    browser = journey_browser
    settings.TWO_FACTOR_ENFORCED = True
    world = build_world()
    use_language(world.users["admin"], language)
    team = world.teams["east"]

    # the Administrator role requires a second factor: set up at the first sign-in
    sign_in(browser, live_server, "admin")
    secret = wait(browser).until(lambda driver: driver.find_element(By.ID, "two-factor-secret")).text
    shot(browser, language, "admin-1-two-factor")
    browser.find_element(By.NAME, "code").send_keys(app_code(secret))
    browser.find_element(By.ID, "two-factor-confirm").click()
    wait(browser).until(lambda driver: driver.find_element(By.ID, "recovery-codes"))
    browser.find_element(By.ID, "recovery-codes-done").click()
    wait(browser).until(lambda driver: driver.find_element(By.ID, "user-menu"))

    # Administration, from the user menu
    browser.find_element(By.ID, "user-menu").click()
    browser.find_element(By.LINK_TEXT, say(language, "Administration")).click()
    until_url(browser, "/admin/")
    shot(browser, language, "admin-2-administration")
    browser.find_element(By.CSS_SELECTOR, "a[href$='/admin/accounts/user/']").click()
    until_url(browser, "/admin/accounts/user/")
    browser.find_element(By.CSS_SELECTOR, "a.addlink[href$='/admin/accounts/user/add/']").click()
    until_url(browser, "/admin/accounts/user/add/")

    # the new user: sign-in name and password, name, e-mail, team, role and language
    fill(browser, "username", "wangfang")
    fill(browser, "password1", NEW_PASSWORD)
    fill(browser, "password2", NEW_PASSWORD)
    fill(browser, "first_name", "芳")
    fill(browser, "last_name", "王")
    fill(browser, "email", "wangfang@example.cn")
    choose_in_autocomplete(browser, "id_team", str(team))
    choose_in_selector(browser, "id_groups", say(language, roles.SALES_REP))
    fill(browser, "language", language)
    shot(browser, language, "admin-3-new-user")
    browser.find_element(By.NAME, "_save").click()

    user = wait(browser).until(lambda driver: User.objects.filter(username="wangfang").first())
    until_url(browser, f"/admin/accounts/user/{user.pk}/change/")
    no_server_error(browser)
    assert user.check_password(NEW_PASSWORD)
    assert user.get_full_name() == "王芳" and user.email == "wangfang@example.cn"
    assert user.team == team and user.language == language
    assert list(user.groups.values_list("name", flat=True)) == [roles.SALES_REP]
    assert not user.is_staff
    shot(browser, language, "admin-4-user-added")

    # the list shows the role in the reader's language
    browser.find_element(By.CSS_SELECTOR, "a[href$='/admin/accounts/user/']").click()
    until_text(browser, "wangfang", say(language, roles.SALES_REP))

    # the new rep signs in with that password: no second factor, their home page and the rep's menu
    sign_in(browser, live_server, "wangfang", NEW_PASSWORD)
    wait(browser).until(lambda driver: driver.find_element(By.ID, "my-numbers"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    menu = browser.find_element(By.ID, "sidebar").text
    for entry in ("Customers", "My tasks", "Leads", "Pipeline board"):
        assert say(language, entry) in menu
    assert say(language, "Behaviour log") not in menu and say(language, "Backups") not in menu
    assert "王芳" in browser.find_element(By.ID, "user-menu").text
    assert say(language, "Administration") not in text(browser)
    shot(browser, language, "admin-5-new-user-home")
