"""Data quality: the score and its issues, kept current on save and nightly, the list filter and the
home page's distribution."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.scope import Module
from customers import selectors, services
from customers.models import Customer
from customers.services.communications import communication_create
from customers.services.quality import customer_quality, customers_quality_recompute
from tests.factories import ContactFactory, CustomerFactory
from tests.list_rows import shown_customers

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _complete(**overrides):
    data = {
        "id": 1,
        "phone": "+86 21-6888 1234",
        "email": "info@acme.example",
        "address": "上海市浦东新区世纪大道 100 号",
        "industry": "it",
        "source": "referral",
        "last_contacted_at": NOW - timedelta(days=10),
        "updated_at": NOW - timedelta(days=3),
        "created_at": NOW - timedelta(days=300),
    }
    data.update(overrides)
    return data


PRIMARY = {"customer_id": 1, "mobile": "13800138000", "phone": "", "email": "wang@acme.example", "is_primary": True}


def test_a_complete_valid_fresh_customer_scores_100():
    assert customer_quality(_complete(), [PRIMARY], now=NOW) == (100, [])


@pytest.mark.parametrize(
    "overrides, contacts, expected_score, expected_missing",
    [
        ({"phone": "", "email": ""}, [PRIMARY], 85, ["no_phone_or_email"]),
        ({"phone": "", "address": "  "}, [PRIMARY], 90, ["no_address"]),
        ({"industry": "", "source": ""}, [PRIMARY], 85, ["no_industry", "no_source"]),
        ({}, [], 80, ["no_contact", "no_primary_mobile"]),
        ({}, [{**PRIMARY, "is_primary": False}], 90, ["no_primary_mobile"]),
        ({}, [{**PRIMARY, "mobile": ""}], 90, ["no_primary_mobile"]),
        ({"phone": "call me"}, [PRIMARY], 90, ["invalid_phone"]),
        ({}, [{**PRIMARY, "phone": "12"}], 90, ["invalid_phone"]),
        ({}, [{**PRIMARY, "email": "wang at acme"}], 90, ["invalid_email"]),
        ({"last_contacted_at": None}, [PRIMARY], 90, ["stale_contact"]),
        ({"last_contacted_at": None, "created_at": NOW - timedelta(minutes=1)}, [PRIMARY], 100, []),
        ({"last_contacted_at": None, "created_at": NOW - timedelta(days=179)}, [PRIMARY], 100, []),
        ({"last_contacted_at": NOW - timedelta(days=181)}, [PRIMARY], 90, ["stale_contact"]),
        ({"updated_at": NOW - timedelta(days=400)}, [PRIMARY], 90, ["stale_record"]),
    ],
)
def test_each_issue_costs_its_weight_and_is_named(overrides, contacts, expected_score, expected_missing):
    assert customer_quality(_complete(**overrides), contacts, now=NOW) == (expected_score, expected_missing)


def test_score_is_stored_on_create_and_recomputed_when_a_contact_is_added(rep_user):
    # given a customer with nothing but a name
    customer = services.customer_create(actor=rep_user, data={"name": "空壳公司"})
    customer.refresh_from_db()
    # then
    assert customer.quality_score == 40
    assert customer.quality_missing == [
        "no_phone_or_email", "no_address", "no_industry", "no_source", "no_contact", "no_primary_mobile",
    ]  # fmt: skip
    # when a primary contact with a mobile and the customer's phone are added
    services.contact_create(
        actor=rep_user, customer=customer, data={"name": "李雷", "mobile": "13900139000", "is_primary": True}
    )
    services.customer_update(actor=rep_user, customer=customer, data={"phone": "021-68888888", "industry": "it"})
    customer.refresh_from_db()
    # then
    assert customer.quality_score == 85
    assert customer.quality_missing == ["no_address", "no_source"]


def test_a_customer_created_a_minute_ago_is_not_reported_as_not_contacted(client_for, rep_user):
    customer = services.customer_create(actor=rep_user, data={"name": "新客户有限公司"})
    customer.refresh_from_db()
    assert "stale_contact" not in customer.quality_missing
    page = client_for(rep_user).get(customer.get_absolute_url()).content.decode()
    assert "Not contacted for 180 days" not in page


def test_a_communication_clears_not_contacted_at_once(rep_user):
    # given a customer created 200 days ago and never contacted
    customer = services.customer_create(actor=rep_user, data={"name": "老客户有限公司"})
    Customer.objects.filter(pk=customer.pk).update(created_at=NOW - timedelta(days=200))
    customers_quality_recompute()
    customer.refresh_from_db()
    assert "stale_contact" in customer.quality_missing
    # when a communication is recorded
    communication_create(actor=rep_user, customer=customer, data={"channel": "phone", "subject": "回访"})
    # then the issue is gone without waiting for the nightly recompute
    customer.refresh_from_db()
    assert "stale_contact" not in customer.quality_missing


def test_nightly_recompute_updates_every_customer_in_batches_and_only_changes(rep_user):
    customers = [CustomerFactory(owner=rep_user, quality_score=0, quality_missing=[]) for _ in range(5)]
    ContactFactory(customer=customers[0], is_primary=True)

    assert customers_quality_recompute(batch_size=2) == 5
    scores = dict(Customer.objects.values_list("pk", "quality_score"))
    # factory customers have phone and e-mail but no address, industry or source; created just now,
    # they are not yet overdue for contact
    assert scores[customers[0].pk] == 75
    assert all(scores[c.pk] == 55 for c in customers[1:])
    assert customers_quality_recompute(batch_size=2) == 0


def test_detail_page_shows_score_and_what_is_missing(client_for, rep_user):
    customer = services.customer_create(actor=rep_user, data={"name": "Bare Ltd."})
    response = client_for(rep_user).get(reverse("customers:customer-detail", args=[customer.pk]))
    assert response.status_code == 200
    assert b"40/100" in response.content
    assert b"No address" in response.content
    assert b"No contact person" in response.content


def test_incomplete_filter_lists_customers_below_the_threshold(client_for, rep_user, settings):
    settings.QUALITY_THRESHOLD = 60
    low = CustomerFactory(owner=rep_user, quality_score=59)
    high = CustomerFactory(owner=rep_user, quality_score=60)
    client = client_for(rep_user)

    incomplete = client.get(reverse("customers:customer-list"), {"quality": "incomplete"}).context["page"]
    complete = client.get(reverse("customers:customer-list"), {"quality": "complete"}).context["page"]

    assert shown_customers(incomplete) == [low]
    assert shown_customers(complete) == [high]


def test_home_distribution_matches_a_hand_count_in_one_query(client_for, rep_user, far_rep):
    for score in (0, 39, 40, 59, 60, 61, 79, 80, 100, 100):
        CustomerFactory(owner=rep_user, quality_score=score)
    for score in (10, 90):  # outside the rep's scope: not counted
        CustomerFactory(owner=far_rep, quality_score=score)
    rep_user.record_scope(Module.CUSTOMERS)  # the scope lookup is cached on the user

    with CaptureQueriesContext(connection) as queries:
        distribution = selectors.quality_distribution(user=rep_user)

    assert len(queries) == 1
    assert distribution == {"labels": ["0–39", "40–59", "60–79", "80–100"], "values": [2, 2, 3, 3]}
    response = client_for(rep_user).get(reverse("home"))
    assert response.context["quality_chart"]["values"] == [2, 2, 3, 3]
    assert b'data-chart="bar" data-source="quality-data"' in response.content
    assert b'id="quality-data"' in response.content
