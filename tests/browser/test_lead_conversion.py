"""A sales manager converts a lead in a real browser by clicking Save: the button belongs to the form."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from sales.models import Lead, Opportunity
from tests.browser.journey import sign_in
from tests.sales.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manager_converts_a_lead_by_clicking_save(browser, live_server, manager):
    wait = WebDriverWait(browser, 10)
    lead = LeadFactory(owner=manager, company="杭州云杉智能科技有限公司", name="王芳")

    # given a manager signed in on the lead's conversion page
    sign_in(browser, live_server, "mona")
    wait.until(EC.presence_of_element_located((By.ID, "my-numbers")))
    browser.get(f"{live_server.url}/sales/leads/{lead.pk}/convert/")

    # when they enter an amount and click Save
    amount = browser.find_element(By.NAME, "amount")
    amount.clear()
    amount.send_keys("120000")
    browser.find_element(By.ID, "save").click()

    # then the opportunity page opens and the lead is converted
    wait.until(EC.url_contains("/sales/opportunities/"))
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED
    assert Opportunity.objects.get(customer__name="杭州云杉智能科技有限公司").amount == 120000
