"""The API docs page in a real browser: the vendored Swagger UI draws every operation of the schema, under
the Content-Security-Policy without a single violation."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.journey import sign_in
from tests.browser.test_content_security_policy import COLLECT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Script errors too (a Swagger UI that failed to start would leave an empty page, not a violation).
ERRORS = "window.__errors = []; window.addEventListener('error', e => window.__errors.push(String(e.message)));"


def test_the_docs_page_renders_the_operations_without_policy_violations(browser, live_server, rep_user):
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COLLECT + ERRORS})
    wait = WebDriverWait(browser, 20)
    sign_in(browser, live_server, "alice")
    wait.until(EC.presence_of_element_located((By.ID, "my-numbers")))

    browser.get(f"{live_server.url}/api/docs/")
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")) > 50)
    paths = {
        element.get_attribute("data-path")
        for element in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    }
    for path in ("/api/v1/customers/", "/api/v1/tickets/{id}/transition/", "/api/v1/registrations/{id}/check-in/"):
        assert path in paths, path
    tags = {element.text for element in browser.find_elements(By.CSS_SELECTOR, ".opblock-tag")}
    assert {"customers", "tickets", "events", "registrations"} <= {tag.split("\n")[0] for tag in tags}

    # Opening an operation draws its parameters and responses from the schema.
    browser.find_element(By.CSS_SELECTOR, "#operations-tickets-tickets_list .opblock-summary-control").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#operations-tickets-tickets_list .parameters")))
    assert browser.execute_script("return window.__csp") == []
    assert browser.execute_script("return window.__errors") == []
