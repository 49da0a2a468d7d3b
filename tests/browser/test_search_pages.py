"""A rep pages through a search whose count stops at its cap, by clicking, in English and in Chinese."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.journey import sign_in
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = "#customers tbody tr"


def names_on_page(browser) -> list[str]:
    return [row.find_element(By.CSS_SELECTOR, "td a").text for row in browser.find_elements(By.CSS_SELECTOR, ROWS)]


def click_link(browser, text):
    link = browser.find_element(By.PARTIAL_LINK_TEXT, text)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()


def test_rep_pages_past_a_capped_search_count_in_both_languages(browser, live_server, rep_user, settings):
    # The live server runs in this process, so the cap applies to it: 30 matches, a count that stops at 5.
    settings.SEARCH_COUNT_LIMIT = 5
    wait = WebDriverWait(browser, 10)
    for number in range(30):
        CustomerFactory(name=f"Acme Pager {number:02d}", owner=rep_user)
    CustomerFactory(name="Northwind Trading", owner=rep_user)

    sign_in(browser, live_server, rep_user.username, "secret-pass-123")

    # the rep searches the customer list; the pager says the count stopped and still offers the next page
    browser.get(f"{live_server.url}/customers/")
    browser.find_element(By.ID, "id_q").send_keys("acme pager")
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "More than 5 records"))
    first = names_on_page(browser)
    assert len(first) == 25
    assert "Page 1" in browser.page_source and "Page 1 of" not in browser.page_source

    click_link(browser, "Next")
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "Page 2"))
    second = names_on_page(browser)
    # every match exactly once across the two pages, and no page after the last row
    assert sorted(first + second) == [f"Acme Pager {number:02d}" for number in range(30)]
    assert not browser.find_elements(By.PARTIAL_LINK_TEXT, "Next")

    # in Chinese the same page reads in Chinese, and "previous" goes back to the first page
    browser.find_element(By.ID, "lang-zh-hans").click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "超过 5 条记录"))
    assert "第 2 页" in browser.page_source
    assert sorted(names_on_page(browser)) == sorted(second)
    click_link(browser, "上一页")
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "第 1 页"))
    assert names_on_page(browser) == first
    assert browser.find_elements(By.PARTIAL_LINK_TEXT, "下一页")
