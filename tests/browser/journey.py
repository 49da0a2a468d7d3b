"""What every journey does: sign in, speak a language, fill and send forms by clicking, take screenshots.

Screenshots are saved when ``CRM_SCREENSHOTS`` names a directory (``make manual-screenshots`` sets it to
``docs``): ``<dir>/<language>/img/<role>-<step>.png``, the pictures of the user manual.
"""

import os
from pathlib import Path

from django.utils import translation
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.world import PASSWORD

LANGUAGES = ["zh-hans", "en"]
DOC_LANGUAGE = {"zh-hans": "zh-Hans", "en": "en"}
DESKTOP = (1280, 900)
PHONE = (390, 844)


def wait(browser, seconds=15):
    # A page being replaced by the next one leaves stale elements behind: look again rather than fail.
    return WebDriverWait(browser, seconds, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def say(language, message):
    """``message`` as the app shows it in ``language`` (from the same catalogs)."""
    with translation.override(language):
        return str(translation.gettext(message))


def label(language, choice):
    """A model choice's label (``Customer.Industry.IT``) as the app shows it in ``language``."""
    with translation.override(language):
        return str(choice.label)


def use_language(user, language):
    """The user's language preference, which every page they open follows."""
    user.language = language
    user.save(update_fields=["language"])


def sign_in(browser, live_server, username, password=PASSWORD, *, size=DESKTOP):
    browser.delete_all_cookies()
    browser.set_window_size(*size)
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.ID, "login-submit").click()
    wait(browser).until(lambda driver: "/accounts/login/" not in driver.current_url)


def open_page(browser, live_server, path):
    browser.get(f"{live_server.url}{path}")


def fill(browser, name, value, *, clear=True):
    """Type into the field called ``name``; dates and selects are set as a person's picker would."""
    field = browser.find_element(By.NAME, name)
    tag, kind = field.tag_name, (field.get_attribute("type") or "")
    if tag == "select":
        from selenium.webdriver.support.ui import Select

        select = Select(field)
        try:
            select.select_by_value(str(value))
        except Exception:
            select.select_by_visible_text(str(value))
    elif kind in ("date", "datetime-local", "time"):
        browser.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            field,
            value,
        )
    elif kind == "checkbox":
        if bool(value) != field.is_selected():
            browser.execute_script("arguments[0].click();", field)
    else:
        if clear:
            field.clear()
        field.send_keys(value)
    return field


def send(browser, field_name):
    """Click the submit button of the form that holds ``field_name``: a button outside it would not send it."""
    field = browser.find_element(By.NAME, field_name)
    button = field.find_element(
        By.XPATH, "./ancestor::form[1]//*[(self::button and (not(@type) or @type='submit')) or @type='submit']"
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()


def text(browser):
    return browser.find_element(By.TAG_NAME, "body").text


def until_text(browser, *needles, seconds=15):
    wait(browser, seconds).until(
        lambda driver: all(n in driver.find_element(By.TAG_NAME, "body").text for n in needles)
    )


def until_url(browser, fragment, seconds=15):
    wait(browser, seconds).until(EC.url_contains(fragment))


def shot(browser, language, name):
    """Save a screenshot for the manual when CRM_SCREENSHOTS is set."""
    root = os.environ.get("CRM_SCREENSHOTS")
    if not root:
        return None
    path = Path(root) / DOC_LANGUAGE[language] / "img" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(path))
    return path


def no_server_error(browser):
    body = text(browser)
    assert "Server Error" not in body and "服务器错误" not in body, body[:500]


def no_script_errors(browser):
    """Nothing went wrong in the page's scripts (nor was blocked by the CSP) since the last look."""
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors


def charts_drawn(browser):
    """Every chart on the page has been drawn by Chart.js (its data parsed, its canvas taken)."""
    return browser.execute_script(
        "const canvases = [...document.querySelectorAll('canvas[data-report-chart]')];"
        "return !canvases.length || (typeof Chart !== 'undefined' && canvases.every((c) => Chart.getChart(c)));"
    )


# The bytes of a link as the signed-in browser receives them (base64, so binary survives the trip).
FETCH = """
const [url, done] = arguments;
fetch(url, {credentials: "same-origin"}).then(async (response) => {
  const bytes = new Uint8Array(await response.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) { binary += String.fromCharCode(...bytes.subarray(i, i + 8192)); }
  done({status: response.status, type: response.headers.get("content-type"), body: btoa(binary)});
});
"""


def download(browser, link):
    """What clicking the download ``link`` would save: (status, content type, bytes)."""
    import base64

    got = browser.execute_async_script(FETCH, link.get_attribute("href"))
    return got["status"], got["type"], base64.b64decode(got["body"])
