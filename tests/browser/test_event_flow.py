"""A guest registers on the public page in a real browser; staff check them in on a phone-sized screen,
by typing the code and by showing the QR code to a (fake) camera."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from marketing import links
from marketing.models import Registration
from marketing.services import registrations
from tests.browser.journey import sign_in
from tests.marketing.factories import EventFactory, RegistrationFactory

from .conftest import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(browser, live_server, username):
    sign_in(browser, live_server, username)
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "my-numbers")))


def test_guest_registers_and_staff_checks_them_in(browser, live_server, marketer):
    wait = WebDriverWait(browser, 10)
    event = EventFactory(theme="Cloud summit", capacity=10)

    # given a guest on the event's public page, not signed in
    browser.get(live_server.url + links.event_url(event).split("127.0.0.1:8000", 1)[-1])
    assert "Cloud summit" in browser.find_element(By.TAG_NAME, "h1").text

    # when they fill in the form (the captcha accepts PASSED in tests)
    browser.find_element(By.NAME, "name").send_keys("王小明")
    browser.find_element(By.NAME, "company").send_keys("蓝海科技")
    browser.find_element(By.NAME, "email").send_keys("xiaoming@lanhai.example")
    browser.find_element(By.NAME, "captcha_1").send_keys("PASSED")
    browser.find_element(By.NAME, "privacy_consent").send_keys(Keys.SPACE)
    browser.find_element(By.ID, "register-submit").click()

    # then they are registered and see their check-in code
    code = wait.until(EC.presence_of_element_located((By.ID, "registration-code"))).text
    registration = Registration.objects.get()
    assert registration.code == code and registration.status == "confirmed"

    # and a staff member on a phone-sized screen types the code at the door
    browser.set_window_size(390, 844)
    _sign_in(browser, live_server, "mark")
    browser.get(f"{live_server.url}/marketing/events/{event.pk}/check-in/")
    field = browser.find_element(By.ID, "id_code")
    field.send_keys(code.lower())
    browser.find_element(By.ID, "check-in-submit").click()
    ok = wait.until(EC.presence_of_element_located((By.ID, "check-in-ok")))
    assert "王小明" in ok.text
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    # htmx swapped the result in place and cleared the field for the next guest
    assert browser.find_element(By.ID, "id_code").get_attribute("value") == ""
    assert "1 of 1 checked in" in browser.find_element(By.ID, "check-in-count").text


def _qr_video(path, text, size=480):
    """A Y4M clip showing the QR code the confirmation e-mail carries, for Chromium's fake camera."""
    matrix = [list(row) for row in registrations.qr_code(text).matrix_iter(scale=1, border=4)]
    scale = size // len(matrix)
    offset = (size - scale * len(matrix)) // 2
    plane = bytearray([235]) * (size * size)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (offset + y * scale + dy) * size + offset + x * scale
                    plane[start : start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * (size * size // 4)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{size} H{size} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(10):
            video.write(b"FRAME\n" + bytes(plane) + chroma + chroma)


def test_staff_check_in_by_scanning_the_qr_code(tmp_path, live_server, marketer):
    registration = RegistrationFactory(name="李雷", code="SCAN234567")
    clip = tmp_path / "qr.y4m"
    _qr_video(clip, registration.code)
    browser = chromium(
        tmp_path,
        [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={clip}",
        ],
    )
    try:
        _sign_in(browser, live_server, "mark")
        browser.get(f"{live_server.url}/marketing/events/{registration.event.pk}/check-in/")
        browser.find_element(By.ID, "scan-start").click()
        ok = WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "check-in-ok")))
        assert "李雷" in ok.text
    finally:
        browser.quit()
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
