"""An integrator's day, end to end over real HTTP: in a real browser a sales rep follows the API docs page
to their own pages, makes a personal token and subscribes a URL to "opportunity won"; then, with nothing
but that token, their system pages through every customer with the cursor, upserts a batch by external_id
through the bulk endpoint and wins a deal; a real Celery worker delivers the signed event to a real
receiver, whose signature is checked here by hand (HMAC-SHA256 per Standard Webhooks), not by the
project's code. Everything stays inside the rep's scope, as on the pages."""

import base64
import hashlib
import hmac
import json
import time

import pytest
import requests
from celery.contrib.testing.worker import start_worker
from selenium.webdriver.common.by import By

from crm.api.models import WebhookDelivery
from crm.celery import app
from crm.models import BehaviourLog
from customers.models import Customer
from sales.services import opportunities
from tests.api.receiver import Receiver
from tests.browser.journey import sign_in, wait
from tests.factories import CustomerFactory
from tests.sales.factories import OpportunityFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def verify_standard_webhook(secret: str, headers: dict, body: bytes, tolerance=300) -> dict:
    """What a receiving system does: sign ``id.timestamp.body`` with the base64 secret after ``whsec_``,
    compare against each ``v1,<signature>`` in the header, refuse stale timestamps."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [part.split(",", 1)[1] for part in headers["webhook-signature"].split() if part.startswith("v1,")]
    assert any(hmac.compare_digest(expected, signature) for signature in given), "bad signature"
    assert abs(time.time() - int(headers["webhook-timestamp"])) < tolerance, "stale timestamp"
    return json.loads(body)


def follow_link(browser, text, path):
    """A link of the docs page's description, its target opened in this tab."""
    link = wait(browser, 20).until(lambda driver: driver.find_element(By.LINK_TEXT, text))
    assert link.get_attribute("href").endswith(path)
    browser.get(link.get_attribute("href"))


def test_an_integrator_makes_a_token_syncs_customers_upserts_a_batch_and_gets_a_signed_won_event(
    browser, live_server, rep_user, far_rep, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    mine = {CustomerFactory(owner=rep_user).pk for _ in range(7)}
    theirs = CustomerFactory(owner=far_rep, external_id="ERP-THEIRS")
    CustomerFactory.create_batch(3, owner=far_rep)
    deal = OpportunityFactory(customer=CustomerFactory(owner=rep_user), name="Integrator deal")
    mine.add(deal.customer_id)
    their_deal = OpportunityFactory(customer=theirs)

    with Receiver() as receiver, start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # 1. The docs page says where the token comes from; its link leads to the rep's own token page.
        sign_in(browser, live_server, "alice")
        browser.get(f"{live_server.url}/api/docs/")
        follow_link(browser, "your API tokens page", "/settings/api/")
        # The token, made there (shown once).
        browser.find_element(By.NAME, "name").send_keys("ERP sync")
        browser.find_element(By.CSS_SELECTOR, "select[name=access] option[value=write]").click()
        browser.find_element(By.ID, "create-token").click()
        key = wait(browser).until(lambda driver: driver.find_element(By.ID, "new-token-key")).text.strip()
        assert key.startswith("crm_")

        # 2. The webhook, subscribed on the rep's own page; its secret is shown there.
        browser.get(f"{live_server.url}/api/docs/")
        follow_link(browser, "your webhooks page", "/settings/webhooks/")
        browser.find_element(By.NAME, "url").send_keys(receiver.url)
        browser.find_element(By.CSS_SELECTOR, "input[name=events][value='opportunity.won']").click()
        browser.find_element(By.ID, "create-webhook").click()
        secret = wait(browser).until(lambda driver: driver.find_element(By.ID, "webhook-secret")).text.strip()
        assert secret.startswith("whsec_")

        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {key}"
        v1 = f"{live_server.url}/api/v1"

        # 3. Every customer the rep may see, three at a time with the cursor, nobody else's.
        seen, url = [], f"{v1}/customers/?page_size=3&fields=id,name"
        while url:
            page = api.get(url, timeout=10)
            assert page.status_code == 200, page.text
            seen += [row["id"] for row in page.json()["results"]]
            assert all(set(row) == {"id", "name"} for row in page.json()["results"])
            url = page.json()["next"]
        assert sorted(seen) == sorted(mine) and len(seen) == len(set(seen))
        assert api.get(f"{v1}/customers/{theirs.pk}/", timeout=10).status_code == 404

        # 4. A batch upserted by external_id: twice gives the same rows; another rep's external_id is not reached.
        batch = [{"external_id": f"ERP-{n}", "name": f"ERP customer {n}", "kind": "company"} for n in range(5)]
        first = api.post(f"{v1}/customers/bulk/", json={"records": batch}, timeout=30)
        assert first.status_code == 200, first.text
        assert [r["status"] for r in first.json()["results"]] == [201] * 5
        renamed = [{**record, "name": record["name"] + " Ltd"} for record in batch]
        again = api.post(f"{v1}/customers/bulk/", json={"records": renamed}, timeout=30)
        assert [r["status"] for r in again.json()["results"]] == [200] * 5
        assert [r["id"] for r in again.json()["results"]] == [r["id"] for r in first.json()["results"]]
        upserted = Customer.objects.filter(external_id__startswith="ERP-", owner=rep_user, name__endswith="Ltd")
        assert upserted.count() == 5
        intruder = api.post(
            f"{v1}/customers/bulk/?atomic=false",
            json={"records": [{"external_id": "ERP-THEIRS", "name": "Taken over", "kind": "company"}]},
            timeout=30,
        )
        assert intruder.json()["results"][0]["status"] == 404
        theirs.refresh_from_db()
        assert theirs.name != "Taken over"

        # 5. The deal won over the API: the signed event arrives at the receiver.
        assert api.post(f"{v1}/opportunities/{their_deal.pk}/win/", json={}, timeout=10).status_code == 404
        # The other rep wins their own deal first: the rep may not see it, so their endpoint is not told.
        opportunities.opportunity_close(actor=far_rep, opportunity=their_deal, won=True, reason="")
        read = api.get(f"{v1}/opportunities/{deal.pk}/", timeout=10)
        won = api.post(f"{v1}/opportunities/{deal.pk}/win/", json={}, headers={"If-Match": read.headers["ETag"]},
                       timeout=10)  # fmt: skip
        assert won.status_code == 200 and won.json()["status"] == "won", won.text
        assert receiver.arrived.wait(20)
        request = receiver.requests[0]
        payload = verify_standard_webhook(secret, request["headers"], request["body"])
        assert payload["type"] == "opportunity.won"
        with pytest.raises(AssertionError, match="bad signature"):
            wrong = "whsec_" + base64.b64encode(b"x" * 24).decode()
            verify_standard_webhook(wrong, request["headers"], request["body"])
        assert payload["data"]["id"] == deal.pk and payload["data"]["status"] == "won"
        assert len(receiver.requests) == 1  # nothing about the other rep's won deal, nothing for the upserts

        # The delivery log has it, and the token's use is in the behaviour log.
        delivery = WebhookDelivery.objects.get()
        assert delivery.event_id == request["headers"]["webhook-id"]
        deadline = time.monotonic() + 10
        while WebhookDelivery.objects.get().status != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert WebhookDelivery.objects.get().status == "succeeded"
        # The rep's delivery log shows it with the receiver's answer; "Send again" repeats the same event id.
        browser.refresh()
        log = browser.find_element(By.ID, "deliveries").text
        assert "opportunity.won" in log and delivery.event_id in log and "200" in log
        browser.find_element(By.CSS_SELECTOR, "#deliveries button[type=submit]").click()
        wait(browser).until(lambda driver: len(receiver.requests) == 2)
        again = receiver.requests[1]
        assert again["headers"]["webhook-id"] == delivery.event_id
        assert verify_standard_webhook(secret, again["headers"], again["body"])["data"]["id"] == deal.pk
        assert BehaviourLog.objects.filter(user=rep_user, detail__via="api_token").exists()
