"""Every role's main journeys by clicking, in Chinese and in English (one browser for the module).

marketing: an event for two guests is published, three guests register (the third waits), a guest is
checked in at the door by typing their code on a phone-sized screen. executive: every dashboard, the big
screen, a custom report saved and exported.
"""

import re

import pytest
from django.core.cache import cache
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from crm.models import BehaviourLog
from marketing import links as marketing_links
from marketing.models import Event, Registration
from reports.models import SavedReport
from tests.world import build_world

from .journey import (
    LANGUAGES,
    PHONE,
    fill,
    no_server_error,
    open_page,
    say,
    send,
    shot,
    sign_in,
    until_text,
    until_url,
    use_language,
    wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _local(url):
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.mark.parametrize("language", LANGUAGES)
def test_marketing_publishes_an_event_for_two_and_the_third_guest_waits(journey_browser, live_server, language):
    browser = journey_browser
    cache.clear()
    world = build_world()
    use_language(world.users["marketing"], language)
    event = world.records["event"]
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT, capacity=2)
    Registration.objects.filter(event=event).delete()

    sign_in(browser, live_server, "marketing")
    open_page(browser, live_server, f"/marketing/events/{event.pk}/")
    shot(browser, language, "marketing-1-event")
    browser.find_element(By.CSS_SELECTOR, "form input[name=status][value=published] ~ button").click()
    wait(browser).until(lambda driver: Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED)

    codes = []
    for n, name in enumerate(["王小明", "李娜", "Sarah Miller"]):
        browser.delete_all_cookies()
        browser.get(live_server.url + _local(marketing_links.event_url(event)))
        fill(browser, "name", name)
        fill(browser, "email", f"guest{n}@example.cn")
        fill(browser, "captcha_1", "PASSED")
        browser.find_element(By.NAME, "privacy_consent").send_keys(Keys.SPACE)
        if n == 2:
            shot(browser, language, "marketing-2-public-registration")
        browser.find_element(By.ID, "register-submit").click()
        wait(browser).until(lambda driver, name=name: Registration.objects.filter(event=event, name=name).exists())
        registration = Registration.objects.get(event=event, name=name)
        codes.append(registration.code)
    statuses = list(Registration.objects.filter(event=event).order_by("registered_at").values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    shot(browser, language, "marketing-3-waitlisted")

    # at the door, on a phone, the code typed in
    sign_in(browser, live_server, "marketing", size=PHONE)
    open_page(browser, live_server, f"/marketing/events/{event.pk}/check-in/")
    fill(browser, "code", codes[0].lower())
    browser.find_element(By.ID, "check-in-submit").click()
    ok = wait(browser).until(lambda driver: driver.find_element(By.ID, "check-in-ok"))
    assert "王小明" in ok.text
    shot(browser, language, "marketing-4-check-in")
    assert Registration.objects.get(code=codes[0]).checked_in_at is not None


@pytest.mark.parametrize("language", LANGUAGES)
def test_executive_reads_every_dashboard_and_saves_and_exports_a_report(journey_browser, live_server, language):
    browser = journey_browser
    world = build_world()
    use_language(world.users["executive"], language)
    sign_in(browser, live_server, "executive")
    for step, path in enumerate(
        [
            "/reports/dashboard/",
            "/sales/forecast/",
            "/sales/performance/",
            "/service/statistics/",
            "/reports/statistics/",
        ]
    ):
        open_page(browser, live_server, path)
        no_server_error(browser)
        if step == 0:
            wait(browser).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, "canvas[data-report-chart]"))
            assert not browser.execute_script("return window.__jsErrors || null")
            shot(browser, language, "executive-1-dashboard")
        if step == 1:
            shot(browser, language, "executive-2-forecast")
    open_page(browser, live_server, "/reports/big-screen/")
    wait(browser).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, ".big-screen"))
    shot(browser, language, "executive-3-big-screen")

    query = "dataset=opportunities&group_1=stage&agg_1=count&agg_2=sum&agg_field_2=amount_base&chart=bar"
    open_page(browser, live_server, f"/reports/builder/?{query}")
    until_text(browser, "CNY")
    fill(browser, "name", "各阶段机会")
    shot(browser, language, "executive-4-builder")
    send(browser, "name")
    until_url(browser, "/reports/saved/")
    report = SavedReport.objects.get(name="各阶段机会")
    until_text(browser, say(language, "Stage"))
    shot(browser, language, "executive-5-saved-report")
    link = browser.find_element(By.CSS_SELECTOR, "a[href*='format=pdf']")
    link.click()
    wait(browser).until(
        lambda driver: BehaviourLog.objects.filter(action=BehaviourLog.Action.EXPORT, detail__saved_report=report.pk)
    )
