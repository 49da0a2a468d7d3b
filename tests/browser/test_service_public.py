"""A customer in a real browser: submit a ticket on the public form, follow it on the tracking page, reply."""

import pytest
from django.core.cache import cache
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from accounts import roles
from service.models import Ticket
from service.services import tickets
from tests.factories import UserFactory
from tests.service.factories import QueueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_customer_submits_tracks_and_replies(browser, live_server):
    cache.clear()
    agent = UserFactory(username="agnes", role=roles.SERVICE_AGENT)
    manager = UserFactory(username="quentin", role=roles.SALES_MANAGER)
    QueueFactory(name="Support", agents=[agent], manager=manager, accepts_web=True)
    wait = WebDriverWait(browser, 10)

    # given the public form, no sign-in
    browser.get(f"{live_server.url}/service/public/ticket/")
    browser.find_element(By.NAME, "name").send_keys("王芳")
    browser.find_element(By.NAME, "email").send_keys("wang.fang@example.com")
    Select(browser.find_element(By.NAME, "type")).select_by_value("fault")
    browser.find_element(By.NAME, "subject").send_keys("扫描仪离线")
    browser.find_element(By.NAME, "description").send_keys("二号厅的扫描仪从早上开始离线。")
    browser.find_element(By.NAME, "captcha_1").send_keys("PASSED")
    assert browser.find_element(By.ID, "privacy-notice").is_displayed()
    browser.find_element(By.NAME, "privacy_consent").send_keys(Keys.SPACE)

    # when they send it
    browser.find_element(By.ID, "submit-ticket").click()

    # then they land on the signed tracking page of their new ticket
    wait.until(EC.presence_of_element_located((By.ID, "track-title")))
    ticket = Ticket.objects.get()
    assert ticket.customer.email == "wang.fang@example.com" and ticket.assignee == agent
    assert "扫描仪离线" in browser.find_element(By.ID, "track-title").text
    assert "/service/public/track/" in browser.current_url
    tracking_url = browser.current_url

    # and when the agent answers publicly and waits on the customer ...
    tickets.ticket_comment_add(actor=agent, ticket=ticket, body="Please restart it once.", is_public=True)
    tickets.ticket_comment_add(actor=agent, ticket=ticket, body="internal: check warranty", is_public=False)
    tickets.ticket_transition(actor=agent, ticket=ticket, to_status="waiting")
    browser.get(tracking_url)
    comments = browser.find_element(By.ID, "public-comments").text
    assert "Please restart it once." in comments and "warranty" not in comments
    assert browser.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status") == "waiting"

    # ... the customer's reply puts the ticket back to work
    browser.find_element(By.NAME, "body").send_keys("Restarted, still offline.")
    browser.find_element(By.ID, "send-reply").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "public-comments"), "Restarted, still offline."))
    assert browser.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status") == "in_progress"

    # and a changed link opens nothing
    browser.get(tracking_url.rstrip("/")[:-3] + "abc/")
    assert "track-title" not in browser.page_source
