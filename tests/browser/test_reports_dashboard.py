"""A manager in a real browser: the dashboard draws its charts and a bar opens the customers behind it."""

import pytest
from django.utils import timezone
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from reports.registry import panels_for
from tests.browser.journey import sign_in
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Where the VIP bar of the newest month sits on the canvas, relative to the canvas's centre.
BAR_OFFSET = """
const canvas = document.querySelector('canvas[data-report-chart="chart-customer_growth"]');
const chart = Chart.getChart(canvas);
const vip = chart.data.datasets.findIndex(d => d.label === "VIP");
const bar = chart.getDatasetMeta(vip).data[chart.data.labels.length - 1];
const box = canvas.getBoundingClientRect();
return [Math.round(bar.x - box.width / 2), Math.round((bar.y + bar.base) / 2 - box.height / 2)];
"""


def test_manager_clicks_a_bar_and_lands_on_the_filtered_customer_list(browser, live_server, manager, rep_user):
    wait = WebDriverWait(browser, 10)
    for name in ("VIP One Ltd.", "VIP Two Ltd."):
        CustomerFactory(name=name, owner=rep_user, lifecycle_stage="vip")
    CustomerFactory(name="Prospect Ltd.", owner=rep_user, lifecycle_stage="prospect")

    # given the manager signed in on the dashboard
    sign_in(browser, live_server, "mona")
    wait.until(lambda driver: "/accounts/login/" not in driver.current_url)
    browser.get(f"{live_server.url}/reports/dashboard/")
    wait.until(
        lambda driver: driver.execute_script(
            "return typeof Chart !== 'undefined' && Chart.getChart("
            "document.querySelector('canvas[data-report-chart]')) != null"
        )
    )
    # one canvas per panel the manager may see (customers, sales, marketing and service panels)
    drawn = browser.execute_script("return document.querySelectorAll('canvas[data-report-chart]').length")
    assert drawn == len(panels_for(manager)) > 5

    # when they click this month's VIP bar
    canvas = browser.find_element(By.CSS_SELECTOR, 'canvas[data-report-chart="chart-customer_growth"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    # (after the chart's entry animation, while which the bars are still growing)
    wait.until(
        lambda driver: driver.execute_script(
            "const c = Chart.getChart(arguments[0]); return !Chart.animator.running(c);", canvas
        )
    )
    x, y = browser.execute_script(BAR_OFFSET)
    ActionChains(browser).move_to_element_with_offset(canvas, x, y).click().perform()

    # then the customer list opens with the same filters and shows exactly those customers
    wait.until(lambda driver: "/customers/" in driver.current_url)
    assert "lifecycle_stage=vip" in browser.current_url
    assert f"created_after={timezone.localdate().replace(day=1).isoformat()}" in browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "#customers tbody tr")
    assert sorted(row.find_element(By.CSS_SELECTOR, "td a").text for row in rows) == ["VIP One Ltd.", "VIP Two Ltd."]
