"""Under the Content-Security-Policy, the pages run in a real browser without a single violation."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.journey import sign_in
from tests.factories import CustomerFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Injected through the DevTools protocol, so it runs before the page's own scripts and is not itself
# subject to the policy; it collects every violation the browser reports.
COLLECT = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"
)


def test_pages_and_htmx_run_without_policy_violations(browser, live_server, rep_user):
    CustomerFactory.create_batch(3, owner=rep_user)
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COLLECT})
    wait = WebDriverWait(browser, 10)

    sign_in(browser, live_server, "alice")
    wait.until(EC.presence_of_element_located((By.ID, "my-numbers")))
    # The home page draws its charts from json_script data; the bell loads through htmx.
    wait.until(lambda driver: driver.execute_script("return document.querySelector('canvas[data-chart]') !== null"))
    assert browser.execute_script("return window.__csp") == []

    for path in ["/customers/", "/customers/contacts/", "/customers/create/", "/accounts/preferences/"]:
        browser.get(f"{live_server.url}{path}")
        wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")
        assert browser.execute_script("return window.__csp") == [], path

    browser.get(f"{live_server.url}/customers/")
    browser.find_element(By.ID, "id_q").send_keys("Customer")
    wait.until(lambda driver: "q=Customer" in driver.current_url)  # htmx pushed the filtered list
    assert browser.execute_script("return window.__csp") == []

    # The main pages of every area (a page the rep may not open answers 403, under the same policy).
    for path in ["/sales/leads/", "/sales/opportunities/", "/marketing/", "/service/", "/reports/statistics/"]:
        browser.get(f"{live_server.url}{path}")
        wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")
        assert browser.execute_script("return window.__csp") == [], path

    # The control: an inline script is refused, and the collector sees it.
    browser.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s)"
    )
    wait.until(lambda driver: driver.execute_script("return window.__csp.length") > 0)
    assert browser.execute_script("return window.ran") is None


def test_styles_from_data_apply_without_inline_styles(browser, live_server, rep_user):
    """Tag colours and progress widths come from data-* attributes; no style attribute is needed or allowed."""
    customer = CustomerFactory(owner=rep_user)
    customer.tags.add(TagFactory(name="vip", colour="#ff0000"))
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COLLECT})
    wait = WebDriverWait(browser, 10)
    sign_in(browser, live_server, "alice")
    wait.until(EC.presence_of_element_located((By.ID, "my-numbers")))

    browser.get(f"{live_server.url}/customers/{customer.pk}/")
    badge = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".tag-badge[data-colour]")))
    wait.until(lambda driver: badge.value_of_css_property("background-color") == "rgba(255, 0, 0, 1)")
    # The control: a style attribute written into the page is refused by the policy.
    browser.execute_script(
        "const d = document.createElement('div');"
        "d.innerHTML = '<p style=\\'color: red\\'>x</p>'; document.body.append(d)"
    )
    wait.until(lambda driver: driver.execute_script("return window.__csp.length") > 0)
    assert all(entry.startswith("style-src") for entry in browser.execute_script("return window.__csp"))
