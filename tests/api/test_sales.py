"""Sales over the API: leads (+ convert), opportunities (+ move, win, lose), pipelines, products, orders
with lines (+ confirm) and contracts — scoped like the pages, versioned (412 on a stale ETag), and the
events integrators wait for (an opportunity won) go out as webhooks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import roles
from crm.api import webhooks
from crm.api.models import WebhookDelivery
from sales.models import Lead, Opportunity, Order, Product
from tests.factories import CustomerFactory, UserFactory
from tests.sales.factories import (
    ContractFactory,
    LeadFactory,
    OpportunityFactory,
    OrderFactory,
    ProductFactory,
    default_pipeline,
    open_stages,
)

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("resource", ["leads", "opportunities", "orders", "contracts"])
def test_a_rep_reaches_only_their_own_sales_records(api_for, rep_user, far_rep, resource):
    makers = {
        "leads": lambda owner: LeadFactory(owner=owner),
        "opportunities": lambda owner: OpportunityFactory(customer=CustomerFactory(owner=owner)),
        "orders": lambda owner: OrderFactory(customer=CustomerFactory(owner=owner)),
        "contracts": lambda owner: ContractFactory(customer=CustomerFactory(owner=owner)),
    }
    mine, theirs = makers[resource](rep_user), makers[resource](far_rep)
    api = api_for(rep_user)
    assert ids(api.get(f"{V1}/{resource}/")) == [mine.pk]
    assert api.get(f"{V1}/{resource}/{theirs.pk}/").status_code == 404
    assert api.patch(f"{V1}/{resource}/{theirs.pk}/", {"notes": "x", "name": "x"}, format="json").status_code == 404
    bulk = api.post(f"{V1}/{resource}/bulk/?atomic=false", {"records": [{"id": theirs.pk, "name": "x"}]}, format="json")
    assert bulk.json()["results"][0]["status"] == 404


def test_opportunity_create_move_win_and_the_won_webhook(api_for, rep_user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    endpoint = webhooks.endpoint_create(
        actor=rep_user, url="http://127.0.0.1:9/", events=["opportunity.won", "opportunity.stage_changed"]
    )
    customer = CustomerFactory(owner=rep_user)
    api = api_for(rep_user)
    created = api.post(
        f"{V1}/opportunities/",
        {"name": "Big deal", "customer": customer.pk, "pipeline": default_pipeline().pk, "amount": "5000.00",
         "currency": "CNY"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    pk, etag = created.json()["id"], created["ETag"]
    moved = api.post(
        f"{V1}/opportunities/{pk}/move/", {"stage": open_stages()[1].pk}, format="json", HTTP_IF_MATCH=etag
    )
    assert moved.status_code == 200 and moved.json()["stage"] == open_stages()[1].pk
    # The ETag read before the move is stale now.
    assert api.post(f"{V1}/opportunities/{pk}/win/", {}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    won = api.post(f"{V1}/opportunities/{pk}/win/", {}, format="json", HTTP_IF_MATCH=moved["ETag"])
    assert won.status_code == 200 and won.json()["status"] == "won"
    events = list(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event_type", flat=True))
    assert sorted(events) == ["opportunity.stage_changed", "opportunity.stage_changed", "opportunity.won"]
    won_payload = WebhookDelivery.objects.get(event_type="opportunity.won").payload
    assert won_payload["data"]["id"] == pk and won_payload["data"]["status"] == "won"


def test_losing_needs_a_reason_and_a_stage_of_another_pipeline_is_refused(api_for, rep_user):
    deal = OpportunityFactory(customer=CustomerFactory(owner=rep_user))
    api = api_for(rep_user)
    response = api.post(f"{V1}/opportunities/{deal.pk}/lose/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert api.post(f"{V1}/opportunities/{deal.pk}/move/", {"stage": 999999}, format="json").status_code == 400
    lost = api.post(f"{V1}/opportunities/{deal.pk}/lose/", {"reason": "Price"}, format="json")
    assert lost.json()["status"] == "lost" and lost.json()["close_reason"] == "Price"


def test_an_opportunity_for_another_reps_customer_is_refused(api_for, rep_user, far_rep):
    theirs = CustomerFactory(owner=far_rep)
    response = api_for(rep_user).post(
        f"{V1}/opportunities/", {"name": "x", "customer": theirs.pk, "pipeline": default_pipeline().pk}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()
    assert not Opportunity.objects.exists()


def test_an_order_with_lines_is_created_then_confirmed_taking_stock(api_for, rep_user, settings):
    product = ProductFactory(stock_on_hand=5, price=100)
    customer = CustomerFactory(owner=rep_user)
    api = api_for(rep_user)
    bad = api.post(
        f"{V1}/orders/", {"customer": customer.pk, "currency": "CNY", "lines": [{"quantity": 0}]}, format="json"
    )
    assert bad.status_code == 400 and "lines" in bad.json()
    created = api.post(
        f"{V1}/orders/",
        {"customer": customer.pk, "currency": "CNY", "external_id": "SHOP-1",
         "lines": [{"product": product.pk, "quantity": 2, "discount_percent": "10"}]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["total"] == "180.00" and order["lines"][0]["line_total"] == "180.00"
    confirmed = api.post(f"{V1}/orders/{order['id']}/confirm/", format="json", HTTP_IF_MATCH=created["ETag"])
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    product.refresh_from_db()
    assert product.stock_on_hand == 3
    # A confirmed order is no longer a draft: the service refuses, the API says why.
    again = api.patch(f"{V1}/orders/{order['id']}/", {"notes": "late change"}, format="json")
    assert again.status_code == 400
    upsert = api.put(f"{V1}/orders/by-external-id/SHOP-1/", {"notes": "x"}, format="json")
    assert upsert.status_code == 400 and Order.objects.get(external_id="SHOP-1").notes == ""


def test_a_lead_is_created_upserted_and_converted(api_for, rep_user):
    api = api_for(rep_user)
    created = api.put(f"{V1}/leads/by-external-id/WEB-7/", {"name": "Wang Wei", "company": "Acme Tech"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    converted = api.post(
        f"{V1}/leads/{pk}/convert/", {"name": "Acme deal", "pipeline": default_pipeline().pk}, format="json"
    )
    assert converted.status_code == 200, converted.content
    lead = Lead.objects.get(pk=pk)
    assert lead.status == "converted" and lead.customer.owner == rep_user and lead.opportunity.name == "Acme deal"
    assert (
        api.post(
            f"{V1}/leads/{pk}/convert/", {"name": "x", "pipeline": default_pipeline().pk}, format="json"
        ).status_code
        == 400
    )


def test_products_are_read_by_reps_but_written_only_with_the_catalogue_permission(api_for, rep_user, executive):
    ProductFactory()
    rep = api_for(rep_user)
    assert len(ids(rep.get(f"{V1}/products/"))) == 1
    assert rep.post(f"{V1}/products/", {"sku": "X1", "name": "X", "price": "1"}, format="json").status_code == 403
    admin = UserFactory(role=roles.ADMINISTRATOR)
    response = api_for(admin).put(
        f"{V1}/products/by-external-id/ERP-P1/", {"sku": "X1", "name": "X", "price": "9.50"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Product.objects.get(external_id="ERP-P1").price == 9.5


def test_pipelines_come_with_their_stages(api_for, rep_user):
    rows = api_for(rep_user).get(f"{V1}/pipelines/").json()["results"]
    assert rows and rows[0]["stages"] and {"is_won", "probability"} <= set(rows[0]["stages"][0])


def test_a_contract_is_created_with_a_number_and_end_before_start_is_refused(api_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    api = api_for(rep_user)
    data = {"title": "Service", "customer": customer.pk, "start_date": "2026-01-01", "end_date": "2025-01-01",
            "amount": "100", "currency": "CNY"}  # fmt: skip
    assert "end_date" in api.post(f"{V1}/contracts/", data, format="json").json()
    created = api.post(f"{V1}/contracts/", {**data, "end_date": "2026-12-31"}, format="json")
    assert created.status_code == 201, created.content and created.json()["number"]


def test_sales_records_are_not_deleted_through_the_api_as_the_pages_delete_none(api_for, rep_user):
    """The sales pages delete no product, lead, opportunity, order or contract (only an opportunity's product
    lines), so the API offers no DELETE for them; customers, contacts and communications keep theirs."""
    schema = api_for(rep_user).get("/api/schema/", {"format": "json"}).json()["paths"]
    for resource in ("products", "leads", "opportunities", "orders", "contracts"):
        assert "delete" not in schema[f"{V1}/{resource}/{{id}}/"], resource
    assert "delete" in schema[f"{V1}/customers/{{id}}/"]
    lead = LeadFactory(owner=rep_user)
    admin = api_for(UserFactory(role=roles.ADMINISTRATOR))
    assert admin.delete(f"{V1}/leads/{lead.pk}/").status_code in (403, 405)
    assert Lead.objects.filter(pk=lead.pk).exists()


@pytest.mark.parametrize("ordering", ["expected_close_date", "-expected_close_date"])
def test_cursor_pages_by_a_date_some_rows_lack_show_every_row_once(api_for, rep_user, ordering):
    # An opportunity need not have an expected close date: PostgreSQL sorts those rows last going up and first
    # going down, and a cursor on one of them (or past them) must still find the rest.
    customer = CustomerFactory(owner=rep_user)
    for n in range(9):
        close = None if n % 3 == 0 else timezone.localdate() + timedelta(days=n % 2)
        OpportunityFactory(customer=customer, owner=rep_user, expected_close_date=close)
    api = api_for(rep_user)
    seen, url = [], f"{V1}/opportunities/?page_size=2&ordering={ordering}"
    while url:
        response = api.get(url)
        seen += ids(response)
        url = response.json()["next"]
    assert sorted(seen) == sorted(Opportunity.objects.values_list("pk", flat=True)) and len(seen) == 9
