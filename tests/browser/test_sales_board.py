"""The pipeline board in a real browser: drag a card to another stage, and move one with the select."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from sales.models import Opportunity
from tests.browser.journey import sign_in
from tests.factories import CustomerFactory
from tests.sales.factories import OpportunityFactory, open_stages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Selenium's drag and drop does not fire HTML5 drag events in Chromium; the page's own handlers get
# real DragEvents with a DataTransfer, as a mouse drag would produce.
DRAG = """
const [card, column] = arguments;
const data = new DataTransfer();
const fire = (target, type) => target.dispatchEvent(
  new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
fire(card, "dragstart"); fire(column, "dragover"); fire(column, "drop"); fire(card, "dragend");
"""


def _column(browser, stage):
    return browser.find_element(By.CSS_SELECTOR, f'.sales-column[data-stage="{stage.pk}"]')


def _in_column(stage, opportunity):
    """A wait condition in one lookup, so a board swapped in meanwhile cannot leave a stale element."""
    selector = f'.sales-column[data-stage="{stage.pk}"] #opportunity-{opportunity.pk}'
    return lambda driver: driver.find_elements(By.CSS_SELECTOR, selector)


def test_rep_moves_deals_by_dragging_and_with_the_select(browser, live_server, rep_user):
    wait = WebDriverWait(browser, 10)
    stages = open_stages()
    dragged = OpportunityFactory(
        name="拖动的机会", owner=rep_user, customer=CustomerFactory(owner=rep_user), stage=stages[0]
    )
    selected = OpportunityFactory(name="Keyboard deal", owner=rep_user, customer=CustomerFactory(owner=rep_user),
                                  stage=stages[0])  # fmt: skip

    sign_in(browser, live_server, "alice")
    wait.until(lambda driver: "/accounts/login/" not in driver.current_url)
    browser.get(f"{live_server.url}/sales/opportunities/board/")

    # when the rep drags a card onto the third stage
    card = browser.find_element(By.ID, f"opportunity-{dragged.pk}")
    browser.execute_script(DRAG, card, _column(browser, stages[2]))

    # then the board comes back from the server with the card in that column and the totals moved
    wait.until(_in_column(stages[2], dragged))
    dragged.refresh_from_db()
    assert dragged.stage == stages[2]
    assert _column(browser, stages[2]).find_element(By.CLASS_NAME, "column-count").text == "1"

    # and without a mouse: choose the stage on the card and press Move
    form_select = Select(browser.find_element(By.ID, f"move-{selected.pk}"))
    form_select.select_by_value(str(stages[1].pk))
    browser.find_element(By.CSS_SELECTOR, f"#opportunity-{selected.pk} button[type=submit]").click()
    wait.until(_in_column(stages[1], selected))
    assert Opportunity.objects.get(pk=selected.pk).stage == stages[1]
    assert "/sales/opportunities/board/" in browser.current_url  # htmx swapped the board in place


def test_dropping_on_the_lost_column_asks_why_before_closing(browser, live_server, rep_user):
    wait = WebDriverWait(browser, 10)
    stage = open_stages()[0]
    lost = stage.pipeline.stages.get(is_lost=True)
    deal = OpportunityFactory(name="Budget gone", owner=rep_user, customer=CustomerFactory(owner=rep_user), stage=stage)

    sign_in(browser, live_server, "alice")
    wait.until(lambda driver: "/accounts/login/" not in driver.current_url)
    browser.get(f"{live_server.url}/sales/opportunities/board/")

    # when the rep drops the card on the lost column, the board asks why and nothing closes yet
    browser.execute_script(DRAG, browser.find_element(By.ID, f"opportunity-{deal.pk}"), _column(browser, lost))
    reason = wait.until(lambda driver: driver.find_elements(By.ID, "lost-reason-text"))[0]
    assert Opportunity.objects.get(pk=deal.pk).status == Opportunity.Status.OPEN

    # then giving the reason closes the deal as lost, in place: the board shows open deals only
    reason.send_keys("预算取消")
    browser.find_element(By.ID, "lost-reason-submit").click()
    wait.until(lambda driver: not driver.find_elements(By.CSS_SELECTOR, f"#lost-reason, #opportunity-{deal.pk}"))
    deal.refresh_from_db()
    assert deal.status == Opportunity.Status.LOST and deal.close_reason == "预算取消"
    assert "/sales/opportunities/board/" in browser.current_url
