import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def chromium(tmp_path, extra_flags=()):
    """Headless Debian Chromium, given its binary and driver explicitly so Selenium downloads nothing."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--lang=en-US", "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'chromium'}",
        # Bootstrap scrolls smoothly otherwise, and a click on a button below the fold lands mid-scroll.
        "--force-prefers-reduced-motion",
        *extra_flags,
    ]:  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    # The console's errors, which the journeys read: a page can answer 200 and still fail in its scripts.
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.implicitly_wait(5)
    return driver


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def journey_browser(tmp_path_factory):
    """One browser for a module's journeys (starting Chromium is the slow part); each journey signs in afresh."""
    driver = chromium(tmp_path_factory.mktemp("journeys"))
    yield driver
    driver.quit()
