"""A visitor who cannot read the captcha asks for another one without reloading the form."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_refresh_button_shows_a_new_captcha_and_key(browser, live_server):
    wait = WebDriverWait(browser, 10)
    browser.get(f"{live_server.url}/service/public/ticket/")
    image = browser.find_element(By.CSS_SELECTOR, "img.captcha")
    key = browser.find_element(By.NAME, "captcha_0")
    before = (image.get_attribute("src"), key.get_attribute("value"))

    button = browser.find_element(By.CSS_SELECTOR, "button.captcha-refresh")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
    button.click()

    wait.until(lambda driver: key.get_attribute("value") != before[1])
    assert image.get_attribute("src") != before[0]
    assert key.get_attribute("value") in image.get_attribute("src")
