"""The sales rep's day, by clicking: a new Chinese customer with a contact, found again by two characters
from the middle of its name, a call recorded with the next follow-up, which waits in My tasks."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from customers.models import Communication, Customer, FollowUpTask
from tests.world import build_world

from .journey import (
    DESKTOP,
    PHONE,
    fill,
    no_script_errors,
    open_page,
    say,
    send,
    shot,
    sign_in,
    until_text,
    until_url,
    use_language,
    wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAME = "武汉金桥新能源有限公司"


@pytest.mark.parametrize(
    ("language", "size"),
    [("zh-hans", DESKTOP), ("en", DESKTOP), ("zh-hans", PHONE), ("en", PHONE)],
    ids=["zh-hans", "en", "zh-hans-phone", "en-phone"],
)
def test_rep_adds_a_customer_finds_it_and_plans_the_next_call(journey_browser, live_server, language, size):
    browser = journey_browser
    world = build_world()
    rep = world.users["rep"]
    use_language(rep, language)
    prefix = "rep-phone" if size == PHONE else "rep"

    sign_in(browser, live_server, "rep", size=size)
    shot(browser, language, f"{prefix}-1-home")

    # a new customer with a Chinese name
    open_page(browser, live_server, "/customers/create/")
    fill(browser, "name", NAME)
    fill(browser, "phone", "027-8888 1234")
    fill(browser, "email", "info@jinqiao.example")
    shot(browser, language, f"{prefix}-2-new-customer")
    send(browser, "name")
    wait(browser).until(lambda driver: NAME in driver.title)
    customer = Customer.objects.get(name=NAME)
    assert customer.owner == rep

    # its contact
    open_page(browser, live_server, f"/customers/{customer.pk}/contacts/create/")
    fill(browser, "name", "周志强")
    fill(browser, "mobile", "13912340004")
    send(browser, "name")
    until_url(browser, f"/customers/{customer.pk}/")
    until_text(browser, "周志强")

    # found again by two characters from the middle of its name
    open_page(browser, live_server, "/customers/")
    fill(browser, "q", "金桥")
    wait(browser).until(
        lambda driver: NAME in (found := driver.find_element(By.ID, "customers").text) and "云杉" not in found
    )
    shot(browser, language, f"{prefix}-3-search")

    # a call recorded with the next follow-up
    follow_up = timezone.localdate() + timedelta(days=3)
    open_page(browser, live_server, f"/customers/{customer.pk}/")
    browser.find_element(By.CSS_SELECTOR, "#communication-form summary").click()
    fill(browser, "subject", "电话沟通扩容需求")
    fill(browser, "channel", Communication.Channel.PHONE)
    fill(browser, "next_follow_up", follow_up.isoformat())
    shot(browser, language, f"{prefix}-4-communication")
    send(browser, "subject")
    wait(browser).until(lambda driver: Communication.objects.filter(customer=customer).exists())
    task = wait(browser).until(lambda driver: FollowUpTask.objects.filter(customer=customer).first())
    assert task.assignee == rep and timezone.localtime(task.due_at).date() == follow_up

    # which waits in My tasks
    open_page(browser, live_server, "/customers/tasks/")
    until_text(browser, say(language, "My tasks"), NAME)
    shot(browser, language, f"{prefix}-5-my-tasks")
    no_script_errors(browser)
