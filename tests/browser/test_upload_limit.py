"""Before a form is sent, the browser checks its size against the limits the page carries: an over-size
submission is stopped with a message and the typed text stays in the form."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from customers.models import Customer
from tests.browser.journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_over_size_form_is_stopped_and_keeps_its_text(browser, live_server, rep_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    wait = WebDriverWait(browser, 10)
    sign_in(browser, live_server, "alice")
    wait.until(EC.presence_of_element_located((By.ID, "my-numbers")))

    browser.get(f"{live_server.url}/customers/create/")
    browser.find_element(By.NAME, "name").send_keys("Acme")
    notes = browser.find_element(By.NAME, "notes")
    browser.execute_script("arguments[0].value = 'x'.repeat(6000)", notes)
    browser.execute_script("arguments[0].form.requestSubmit()", notes)
    alert = wait.until(EC.alert_is_present())
    assert "at most 4.0 KB may be sent" in alert.text
    alert.accept()

    assert browser.current_url.endswith("/customers/create/")
    assert len(browser.find_element(By.NAME, "notes").get_attribute("value")) == 6000
    assert not Customer.objects.exists()

    # Within the limit the same form is sent as usual.
    browser.execute_script("arguments[0].value = 'short'", browser.find_element(By.NAME, "notes"))
    browser.execute_script("arguments[0].form.requestSubmit()", browser.find_element(By.NAME, "notes"))
    wait.until(lambda driver: not driver.current_url.endswith("/customers/create/"))
    assert Customer.objects.filter(name="Acme").exists()
