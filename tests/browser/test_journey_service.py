"""The service desk's journey, by clicking: a visitor without an account sends a ticket through the public
form, the agent finds it in the queue, answers the customer and resolves it, and the customer answers the
satisfaction survey from the link in the e-mail they received."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from selenium.webdriver.common.by import By

from service.models import SatisfactionSurvey, Ticket
from tests.world import build_world

from .journey import (
    DESKTOP,
    LANGUAGES,
    fill,
    no_script_errors,
    no_server_error,
    open_page,
    say,
    send,
    shot,
    sign_in,
    until_text,
    use_language,
    wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUBJECT = "打印机无法连接网络"


def as_visitor(browser, live_server, path, language):
    """A stranger's browser on a public page, switched to ``language`` with the page's own language buttons."""
    browser.delete_all_cookies()
    browser.set_window_size(*DESKTOP)
    open_page(browser, live_server, path)
    if browser.find_element(By.TAG_NAME, "html").get_attribute("lang") != language:
        browser.find_element(By.ID, f"lang-{language}").click()
        wait(browser).until(lambda driver: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language)


def link_in(message, fragment):
    """The address in an e-mail's text that leads to ``fragment``, as a path on this server."""
    url = next(u for u in re.findall(r"https?://\S+", message.body) if fragment in u)
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visitors_ticket_is_answered_resolved_and_rated(journey_browser, live_server, language):
    browser = journey_browser
    cache.clear()
    world = build_world()
    agent = world.users["service"]
    use_language(agent, language)
    mail.outbox.clear()

    # a visitor sends a ticket through the public form
    as_visitor(browser, live_server, "/service/public/ticket/", language)
    fill(browser, "name", "王芳")
    fill(browser, "email", "wang.fang@example.cn")
    fill(browser, "type", Ticket.Type.FAULT)
    fill(browser, "subject", SUBJECT)
    fill(browser, "description", "三楼的打印机从早上开始无法连接网络，重启后仍然不行。")
    fill(browser, "captcha_1", "PASSED")
    fill(browser, "privacy_consent", True)
    shot(browser, language, "service-1-public-form")
    browser.find_element(By.ID, "submit-ticket").click()
    title = wait(browser).until(lambda driver: driver.find_element(By.ID, "track-title"))
    assert SUBJECT in title.text
    ticket = Ticket.objects.get(subject=SUBJECT)
    assert ticket.assignee == agent and ticket.requester_email == "wang.fang@example.cn"
    shot(browser, language, "service-2-tracking")
    received = [m for m in mail.outbox if m.to == ["wang.fang@example.cn"]]
    assert received and ticket.number in received[0].subject

    # the agent finds it in the queue ...
    sign_in(browser, live_server, "service")
    open_page(browser, live_server, "/service/")
    until_text(browser, say(language, "My tickets"), SUBJECT)
    shot(browser, language, "service-3-queue")
    browser.find_element(By.LINK_TEXT, SUBJECT).click()
    wait(browser).until(lambda driver: SUBJECT in driver.find_element(By.ID, "ticket-title").text)

    # ... answers the customer ...
    answer = "您好，请在打印机面板上重新选择无线网络，我们已远程为您重置了配置。"
    fill(browser, "body", answer)
    fill(browser, "is_public", True)
    shot(browser, language, "service-4-reply")
    send(browser, "body")
    until_text(browser, answer)
    assert any(answer in m.body for m in mail.outbox if m.to == ["wang.fang@example.cn"])

    # ... and resolves it
    browser.find_element(By.CSS_SELECTOR, "button[data-transition=resolved]").click()
    wait(browser).until(lambda driver: Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.RESOLVED)
    until_text(browser, say(language, "Resolved"))
    no_server_error(browser)
    shot(browser, language, "service-5-resolved")

    # the customer answers the survey from the link in the e-mail
    survey_mail = next(m for m in mail.outbox if "/service/public/survey/" in m.body)
    assert survey_mail.to == ["wang.fang@example.cn"]
    as_visitor(browser, live_server, link_in(survey_mail, "/service/public/survey/"), language)
    browser.find_element(By.CSS_SELECTOR, "input[name=score][value='5']").click()
    fill(browser, "nps", "9")
    fill(browser, "comment", "回复很快，问题已解决。")
    shot(browser, language, "service-6-survey")
    browser.find_element(By.ID, "send-survey").click()
    wait(browser).until(lambda driver: driver.find_element(By.ID, "survey-thanks"))
    survey = SatisfactionSurvey.objects.get(ticket=ticket)
    assert (survey.score, survey.nps) == (5, 9)
    no_script_errors(browser)
