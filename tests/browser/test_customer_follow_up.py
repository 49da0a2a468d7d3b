"""On the customer page, a communication recorded with a next follow-up shows its task in the follow-up
card at once, without a reload."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.journey import sign_in
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _click(browser, element):
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def test_the_follow_up_card_shows_the_task_a_quick_add_scheduled(browser, live_server, rep_user):
    wait = WebDriverWait(browser, 10)
    customer = CustomerFactory(name="杭州云杉智能科技有限公司", owner=rep_user)

    # given a rep on the customer's page, with no open task yet
    sign_in(browser, live_server, "alice")
    wait.until(EC.presence_of_element_located((By.ID, "my-numbers")))
    browser.get(f"{live_server.url}{customer.get_absolute_url()}")
    wait.until(EC.text_to_be_present_in_element((By.ID, "customer-tasks"), "No open tasks"))

    # when they record a call with a next follow-up date in the quick-add form
    _click(browser, browser.find_element(By.CSS_SELECTOR, "#communication-form summary"))
    browser.find_element(By.ID, "id_subject").send_keys("电话回访")
    browser.find_element(By.ID, "id_next_step").send_keys("发送报价单")
    follow_up = browser.find_element(By.ID, "id_next_follow_up")
    browser.execute_script("arguments[0].value = '2030-01-15'", follow_up)
    _click(browser, browser.find_element(By.ID, "communication-save"))

    # then the follow-up card lists the new task without a reload
    wait.until(EC.text_to_be_present_in_element((By.ID, "customer-tasks"), "发送报价单"))
    assert "No open tasks" not in browser.find_element(By.ID, "customer-tasks").text
