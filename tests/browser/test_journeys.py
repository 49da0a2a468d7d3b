"""Every role's main journeys by clicking, in Chinese and in English (one browser for the module).

marketing: an event for two guests is published, three guests register (the third waits), a guest is
checked in at the door by typing their code on a phone-sized screen. executive: every dashboard, the big
screen, a custom report saved and exported.
"""

import io
import re
from datetime import timedelta

import openpyxl
import pypdf
import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from crm.models import BehaviourLog
from marketing import links as marketing_links
from marketing.models import Event, Registration
from reports.models import SavedReport
from reports.registry import panels_for, templates_for
from tests.world import build_world

from .journey import (
    LANGUAGES,
    PHONE,
    charts_drawn,
    download,
    fill,
    no_script_errors,
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


THEME = "云杉智能客户沙龙 · 杭州站"


def _local(url):
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.mark.parametrize("language", LANGUAGES)
def test_marketing_publishes_an_event_for_two_and_the_third_guest_waits(journey_browser, live_server, language):
    browser = journey_browser
    cache.clear()
    world = build_world()
    use_language(world.users["marketing"], language)
    starts = timezone.localtime() + timedelta(days=14)

    # a new event for two guests
    sign_in(browser, live_server, "marketing")
    open_page(browser, live_server, "/marketing/events/")
    browser.find_element(By.ID, "new-event").click()
    until_url(browser, "/marketing/events/create/")
    fill(browser, "campaign", world.records["campaign"].pk)
    fill(browser, "theme", THEME)
    fill(browser, "starts_at", starts.strftime("%Y-%m-%dT09:30"))
    fill(browser, "ends_at", starts.strftime("%Y-%m-%dT17:00"))
    fill(browser, "location", "杭州国际博览中心 3 号厅")
    fill(browser, "capacity", "2")
    send(browser, "theme")
    event = wait(browser).until(lambda driver: Event.objects.filter(theme=THEME).first())
    until_url(browser, f"/marketing/events/{event.pk}/")
    assert event.capacity == 2 and event.status == Event.Status.DRAFT
    no_script_errors(browser)
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


def _follow(browser, label, *, within="#sidebar"):
    """Click the link named ``label`` (a sidebar entry, a tab), as the executive finds their way."""
    links = browser.find_elements(By.CSS_SELECTOR, f"{within} a")
    link = next(link for link in links if link.text.strip().split("\n")[0] == label)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
    address = link.get_attribute("href")
    link.click()
    wait(browser).until(lambda driver: driver.current_url.split("#")[0] == address)


def _looked_at(browser):
    """A dashboard read: no error on the server or in the scripts, and every chart on it drawn."""
    no_server_error(browser)
    wait(browser).until(charts_drawn)
    no_script_errors(browser)


@pytest.mark.parametrize("language", LANGUAGES)
def test_executive_reads_every_dashboard_and_saves_and_exports_a_report(journey_browser, live_server, language):
    browser = journey_browser
    world = build_world()
    executive = world.users["executive"]
    use_language(executive, language)
    sign_in(browser, live_server, "executive")
    no_script_errors(browser)

    # the dashboard: a chart per panel, each drawn
    _follow(browser, say(language, "Dashboard"))
    _looked_at(browser)
    panels = browser.find_elements(By.CSS_SELECTOR, "#dashboard-panels canvas[data-report-chart]")
    assert len(panels) == len(panels_for(executive))
    shot(browser, language, "executive-1-dashboard")

    # every report template, one after another
    _follow(browser, say(language, "Report templates"))
    with translation.override(language):
        titles = [str(template.title) for template in templates_for(executive)]
    assert titles
    for title in titles:
        _follow(browser, say(language, "Report templates"))
        _follow(browser, title, within="main .list-group")
        until_text(browser, title)
        _looked_at(browser)

    # the statistics, the forecast against the targets, the sales performance, the service and the
    # campaign dashboards
    for label in ["Statistics", "Sales forecast", "Sales performance", "Service statistics", "Campaign effect"]:
        _follow(browser, say(language, label))
        _looked_at(browser)
        if label == "Sales forecast":
            shot(browser, language, "executive-2-forecast")

    # the big screen, from the dashboard
    _follow(browser, say(language, "Dashboard"))
    _follow(browser, say(language, "Big screen"), within="main .nav-tabs")
    wait(browser).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, ".big-screen"))
    _looked_at(browser)
    shot(browser, language, "executive-3-big-screen")

    # a custom report: opportunities by stage, counted and summed, as a bar chart
    open_page(browser, live_server, "/")
    _follow(browser, say(language, "Custom reports"))
    fill(browser, "dataset", "opportunities")
    wait(browser).until(lambda driver: "dataset=opportunities" in driver.current_url)
    fill(browser, "group_1", "stage")
    fill(browser, "agg_1", "count")
    fill(browser, "agg_2", "sum")
    fill(browser, "agg_field_2", "amount_base")
    fill(browser, "chart", "bar")
    browser.find_element(By.ID, "run-report").click()
    until_text(browser, "CNY")
    _looked_at(browser)
    fill(browser, "name", "各阶段机会")
    shot(browser, language, "executive-4-builder")
    send(browser, "name")
    until_url(browser, "/reports/saved/")
    report = SavedReport.objects.get(name="各阶段机会")
    assert report.owner == executive
    until_text(browser, "各阶段机会", say(language, "Stage"))
    _looked_at(browser)
    shot(browser, language, "executive-5-saved-report")

    # exported, as the Excel and PDF buttons download it
    stage = str(world.records["deal"].stage)
    status, kind, content = download(browser, browser.find_element(By.CSS_SELECTOR, "a[href*='format=xlsx']"))
    assert status == 200 and "spreadsheetml" in kind
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert stage in {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row}
    status, kind, content = download(browser, browser.find_element(By.CSS_SELECTOR, "a[href*='format=pdf']"))
    assert status == 200 and kind == "application/pdf"
    words = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert "各阶段机会" in words and stage in words
    exports = BehaviourLog.objects.filter(action=BehaviourLog.Action.EXPORT, detail__saved_report=report.pk)
    assert exports.count() == 2
