"""A sales rep in a real browser: sign in, add a Chinese customer, find it, switch to Chinese."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from customers.models import Customer
from tests.browser.journey import sign_in
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAME = "深圳蓝海新能源有限公司"


def test_rep_creates_finds_and_reads_in_chinese(browser, live_server, rep_user):
    wait = WebDriverWait(browser, 10)
    CustomerFactory(name="Northwind Trading Co., Ltd.", owner=rep_user)

    # given a rep at the sign-in page
    sign_in(browser, live_server, "alice")
    wait.until(EC.presence_of_element_located((By.ID, "my-numbers")))

    # when they create a customer with a Chinese name
    browser.get(f"{live_server.url}/customers/create/")
    browser.find_element(By.NAME, "name").send_keys(NAME)
    browser.find_element(By.NAME, "phone").send_keys("+86 755-8888 1234")
    browser.find_element(By.NAME, "email").send_keys("info@lanhai.example")
    browser.find_element(By.ID, "save-customer").click()
    wait.until(EC.title_contains(NAME))
    assert Customer.objects.get(name=NAME).owner == rep_user

    # and search for it on the list, which htmx refreshes in place
    browser.get(f"{live_server.url}/customers/")
    browser.find_element(By.ID, "id_q").send_keys("蓝海新能源")
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#customers tbody tr")) == 1)
    assert NAME in browser.find_element(By.ID, "customers").text
    assert "Northwind" not in browser.find_element(By.ID, "customers").text
    wait.until(lambda driver: "q=" in driver.current_url)

    # then switching to Chinese shows Chinese labels
    browser.find_element(By.ID, "lang-zh-hans").click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "客户"))
    assert "新建客户" in browser.page_source
    rep_user.refresh_from_db()
    assert rep_user.language == "zh-hans"
