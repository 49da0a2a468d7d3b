"""The customer bulk endpoint's set-based path: each record checked as one by one (the customer form, the
scope, the model's rules), written together with its history, behaviour-log entry and webhook events, all or
nothing when asked; and its statements do not grow with the records."""

import pytest

from crm.api import webhooks
from crm.api.models import WebhookDelivery
from crm.models import BehaviourLog
from customers.models import Customer
from tests.factories import CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/bulk/"


def statuses(response):
    return [result["status"] for result in response.json()["results"]]


def test_a_rep_cannot_upsert_over_a_customer_outside_their_scope(api_for, rep_user, far_rep):
    """By id or by external id, a record outside the scope answers 404 and is neither changed nor created
    again; the caller's other records are written."""
    theirs = CustomerFactory(owner=far_rep, name="Theirs", external_id="ERP-T")
    mine = CustomerFactory(owner=rep_user, name="Mine", external_id="ERP-M")
    records = [
        {"external_id": "ERP-T", "name": "Taken"},
        {"id": theirs.pk, "name": "Taken by id"},
        {"external_id": "ERP-M", "name": "Mine renamed"},
        {"external_id": "ERP-N", "name": "New"},
    ]
    response = api_for(rep_user).post(f"{URL}?atomic=false", {"records": records}, format="json")
    assert response.status_code == 200
    assert statuses(response) == [404, 404, 200, 201]
    assert "name" not in str(response.json()["results"][0]["errors"])  # nothing about the record is told
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.name == "Theirs" and theirs.owner == far_rep
    assert mine.name == "Mine renamed"
    assert Customer.objects.get(external_id="ERP-N").owner == rep_user
    assert Customer.objects.count() == 3


def test_a_record_outside_the_scope_stops_an_all_or_nothing_call(api_for, rep_user, far_rep):
    CustomerFactory(owner=far_rep, external_id="ERP-T")
    records = [{"external_id": "ERP-A", "name": "A"}, {"external_id": "ERP-T", "name": "Taken"}]
    response = api_for(rep_user).post(URL, {"records": records}, format="json")
    assert response.status_code == 400 and response.json()["applied"] is False
    assert statuses(response) == [201, 404]
    assert not Customer.objects.filter(external_id="ERP-A").exists()


def test_all_or_nothing_writes_nothing_when_a_model_rule_fails(api_for, rep_user):
    """A failure found by the model's checks (not the form's) undoes the call as well: nothing, not even
    the valid records' history or behaviour-log entries, is written."""
    records = [
        {"external_id": "ERP-1", "name": "One"},
        {"external_id": "ERP-2", "name": "Two", "phone": "not a phone"},
        {"external_id": "ERP-1", "name": "One twice"},
    ]
    response = api_for(rep_user).post(URL, {"records": records}, format="json")
    assert response.status_code == 400
    assert statuses(response) == [201, 400, 400]
    results = response.json()["results"]
    assert "phone" in results[1]["errors"] and "external_id" in results[2]["errors"]
    assert not Customer.objects.exists() and not Customer.history.exists()
    assert not BehaviourLog.objects.filter(object_type="customers.customer").exists()


def test_per_record_results_write_the_valid_records_with_history_log_and_tags(api_for, rep_user):
    tag = TagFactory(name="vip")
    existing = CustomerFactory(owner=rep_user, name="Old", external_id="ERP-1", level="C")
    records = [
        {"external_id": "ERP-1", "level": "A", "tags": [tag.pk]},
        {"name": "", "external_id": "ERP-2"},
        {"external_id": "ERP-3", "name": "Third", "phone": "021-68888888", "tags": [tag.pk]},
        {"id": existing.pk, "kind": "company", "id_number": "110101199003077774"},
    ]
    response = api_for(rep_user).post(f"{URL}?atomic=false", {"records": records}, format="json")
    assert response.status_code == 200 and response.json()["applied"] is True
    assert statuses(response) == [200, 400, 201, 400]
    results = response.json()["results"]
    assert "name" in results[1]["errors"] and "id_number" in results[3]["errors"]
    existing.refresh_from_db()
    assert existing.level == "A" and existing.name == "Old" and list(existing.tags.all()) == [tag]
    third = Customer.objects.get(pk=results[2]["id"])
    assert third.name == "Third" and third.owner == rep_user and list(third.tags.all()) == [tag]
    assert "third" in third.search_document and third.quality_score > 0
    # history as the services write it: created, changed
    assert [h.history_type for h in third.history.all()] == ["+"]
    assert existing.history.first().history_type == "~" and existing.history.first().history_user == rep_user
    # one behaviour-log entry per record written, as one by one
    entries = BehaviourLog.objects.filter(object_type="customers.customer")
    assert set(entries.values_list("object_id", "action")) >= {
        (str(existing.pk), BehaviourLog.Action.UPDATE),
        (str(third.pk), BehaviourLog.Action.CREATE),
    }
    assert entries.get(object_id=str(existing.pk)).detail == {"fields": ["level"]}


def test_bulk_writes_queue_webhook_events_only_for_owners_who_may_see_them(api_for, rep_user, far_rep, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    mine = webhooks.endpoint_create(
        actor=rep_user, url="http://127.0.0.1:9/", events=["customer.created", "customer.updated"]
    )
    theirs = webhooks.endpoint_create(actor=far_rep, url="http://127.0.0.1:9/", events=["customer.created"])
    existing = CustomerFactory(owner=rep_user, external_id="ERP-1")
    records = [{"external_id": "ERP-1", "level": "A"}, {"external_id": "ERP-2", "name": "New"}]
    response = api_for(rep_user).post(URL, {"records": records}, format="json")
    assert statuses(response) == [200, 201]
    deliveries = WebhookDelivery.objects.filter(endpoint=mine)
    assert sorted(deliveries.values_list("event_type", flat=True)) == ["customer.created", "customer.updated"]
    updated = deliveries.get(event_type="customer.updated").payload["data"]
    assert updated["id"] == existing.pk and updated["level"] == "A"
    assert not WebhookDelivery.objects.filter(endpoint=theirs).exists()


def test_the_statements_of_a_bulk_call_do_not_grow_with_its_records(api_for, rep_user, django_assert_max_num_queries):
    api = api_for(rep_user)
    tag = TagFactory(name="t")

    def call(start, count):
        records = [{"external_id": f"E-{n}", "name": f"N {n}", "tags": [tag.pk]} for n in range(start, start + count)]
        return api.post(f"{URL}?atomic=false", {"records": records}, format="json")

    call(0, 2)  # token use logged, caches warm
    with django_assert_max_num_queries(40) as small:
        assert call(100, 3).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert call(200, 60).status_code == 200
    assert Customer.objects.count() == 65
    with django_assert_max_num_queries(len(small.captured_queries) + 6):  # updates: the rows' links are read
        call(200, 60)
