"""Customers over the API: the same scope, permissions, validation, masking and services as the pages,
plus what integrators need (cursor pages, updated_since, sparse fields, ETag/If-Match, Idempotency-Key,
upsert by external_id, bulk writes)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import roles
from crm.models import BehaviourLog
from customers.models import Customer
from tests.factories import CustomerFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# ---- scope


def test_a_rep_lists_and_reads_only_their_own_customers_whatever_the_filter(api_for, rep_user, far_rep):
    mine = CustomerFactory(owner=rep_user, name="Alpha", level="A")
    theirs = CustomerFactory(owner=far_rep, name="Alpha two", level="A")
    api = api_for(rep_user)
    assert ids(api.get(URL)) == [mine.pk]
    assert ids(api.get(URL, {"level": "A", "q": "Alpha"})) == [mine.pk]
    # Filtering by an owner outside the scope is refused as an invalid choice, never answered with rows.
    outside = api.get(URL, {"owner": far_rep.pk})
    assert outside.status_code == 400 and "owner" in outside.json()
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.get(f"{URL}{mine.pk}/").status_code == 200


def test_a_rep_cannot_change_or_delete_another_reps_customer(api_for, rep_user, far_rep):
    theirs = CustomerFactory(owner=far_rep, name="Theirs")
    api = api_for(rep_user)
    assert api.patch(f"{URL}{theirs.pk}/", {"name": "Mine now"}, format="json").status_code == 404
    assert api.put(f"{URL}{theirs.pk}/", {"name": "Mine now"}, format="json").status_code == 404
    assert api.delete(f"{URL}{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_upsert_and_bulk_never_reach_another_reps_record(api_for, rep_user, far_rep):
    theirs = CustomerFactory(owner=far_rep, name="Theirs", external_id="ERP-1")
    api = api_for(rep_user)
    assert api.put(f"{URL}by-external-id/ERP-1/", {"name": "Taken"}, format="json").status_code == 404
    response = api.post(f"{URL}?upsert=external_id", {"name": "Taken", "external_id": "ERP-1"}, format="json")
    assert response.status_code == 404
    response = api.post(
        f"{URL}bulk/",
        {"atomic": False, "records": [{"id": theirs.pk, "name": "x"}, {"external_id": "ERP-1", "name": "y"}]},
        format="json",
    )
    assert [r["status"] for r in response.json()["results"]] == [404, 404]
    theirs.refresh_from_db()
    assert theirs.name == "Theirs" and Customer.objects.count() == 1


def test_a_manager_sees_the_team_and_an_executive_everyone(api_for, rep_user, manager, far_rep, executive):
    mine = CustomerFactory(owner=rep_user)
    far = CustomerFactory(owner=far_rep)
    assert ids(api_for(manager).get(URL)) == [mine.pk]
    assert set(ids(api_for(executive).get(URL))) == {mine.pk, far.pk}


# ---- role permissions


def test_roles_without_the_module_permission_are_refused(api_for, db):
    agent = UserFactory(role=roles.SERVICE_AGENT)
    marketer = UserFactory(role=roles.MARKETING)
    # Marketing and service read customers but may not change them (DESIGN.md: customers read-only).
    assert api_for(marketer).get(URL).status_code == 200
    assert api_for(marketer).post(URL, {"name": "X"}, format="json").status_code == 403
    assert api_for(agent).post(URL, {"name": "X"}, format="json").status_code == 403
    nobody = UserFactory()
    assert api_for(nobody).get(URL).status_code == 403


# ---- writes through the services


def test_create_goes_through_the_service_with_history_and_the_behaviour_log(api_for, rep_user):
    tag = TagFactory(name="vip")
    response = api_for(rep_user).post(URL, {"name": "  Beta Ltd ", "tags": [tag.pk], "level": "B"}, format="json")
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert customer.name == "Beta Ltd" and customer.owner == rep_user and list(customer.tags.all()) == [tag]
    assert customer.history.count() == 1 and customer.search_document
    assert BehaviourLog.objects.filter(action="create", object_id=str(customer.pk)).exists()
    assert response["ETag"]


def test_validation_errors_name_the_fields_in_the_callers_language(api_for, rep_user, far_rep):
    api = api_for(rep_user)
    response = api.post(URL, {"name": "", "level": "Z", "email": "nope", "owner": far_rep.pk}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"name", "level", "email", "owner"}
    response = api.post(URL, {"name": "", "email": "nope"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["email"][0])
    # The form's own rule: only individuals have an ID number.
    response = api.post(URL, {"name": "Co", "kind": "company", "id_number": "110101199003077777"}, format="json")
    assert response.status_code == 400 and "id_number" in response.json()
    assert api.post(URL, ["not", "an", "object"], format="json").status_code == 400
    assert api.post(URL, {"name": {"nested": 1}}, format="json").status_code == 400


def test_id_numbers_are_masked_without_the_permission(api_for, rep_user, manager):
    customer = CustomerFactory(owner=rep_user, kind="individual", id_number="110101199003077777")
    shown = api_for(rep_user).get(f"{URL}{customer.pk}/").json()["id_number"]
    assert shown != "110101199003077777" and shown.endswith("7777") and "*" in shown
    listed = api_for(rep_user).get(URL).json()["results"][0]["id_number"]
    assert listed == shown
    assert api_for(manager).get(f"{URL}{customer.pk}/").json()["id_number"] == "110101199003077777"


def test_delete_is_refused_with_the_reason_while_records_protect_it(api_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    assert api_for(rep_user).delete(f"{URL}{customer.pk}/").status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()


# ---- optimistic locking


def test_a_stale_if_match_answers_412_and_changes_nothing(api_for, rep_user):
    customer = CustomerFactory(owner=rep_user, name="Old")
    api = api_for(rep_user)
    etag = api.get(f"{URL}{customer.pk}/")["ETag"]
    first = api.patch(f"{URL}{customer.pk}/", {"name": "First"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first["ETag"] != etag
    second = api.patch(f"{URL}{customer.pk}/", {"name": "Second"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert api.delete(f"{URL}{customer.pk}/", HTTP_IF_MATCH=etag).status_code == 412
    customer.refresh_from_db()
    assert customer.name == "First"


# ---- idempotency


def test_a_post_repeated_with_the_same_idempotency_key_creates_one_record(api_for, rep_user):
    api = api_for(rep_user)
    first = api.post(URL, {"name": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(URL, {"name": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Customer.objects.filter(name="Once").count() == 1
    other = api.post(URL, {"name": "Different"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    # Keys are per user: another user's identical key is a new request.
    other_user = UserFactory(role=roles.SALES_REP)
    assert api_for(other_user).post(URL, {"name": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201


# ---- paging and sync


def test_cursor_pages_are_stable_while_rows_are_inserted(api_for, rep_user):
    rows = [CustomerFactory(owner=rep_user) for _ in range(7)]
    api = api_for(rep_user)
    seen, url = [], f"{URL}?page_size=3&ordering=id"
    while url:
        response = api.get(url)
        seen += ids(response)
        # Someone adds a customer between pages: the pages already started neither repeat nor skip.
        CustomerFactory(owner=rep_user)
        url = response.json()["next"]
    assert seen[:7] == [c.pk for c in rows]
    assert len(seen) == len(set(seen))
    descending = ids(api.get(URL, {"page_size": 3}))
    assert descending == sorted(descending, reverse=True) or len(descending) == 3


def test_cursor_paging_by_a_non_unique_field_loses_no_row(api_for, rep_user):
    for n in range(6):
        CustomerFactory(owner=rep_user, name=f"Same {n % 2}")
    api = api_for(rep_user)
    seen, url = [], f"{URL}?page_size=2&ordering=name"
    while url:
        response = api.get(url)
        seen += ids(response)
        url = response.json()["next"]
    assert sorted(seen) == sorted(Customer.objects.values_list("pk", flat=True)) and len(seen) == 6


def test_bad_cursor_ordering_or_updated_since_are_client_errors(api_for, rep_user):
    api = api_for(rep_user)
    assert api.get(URL, {"cursor": "garbage"}).status_code == 404
    assert api.get(URL, {"ordering": "email"}).status_code == 400
    assert api.get(URL, {"updated_since": "yesterday"}).status_code == 400
    assert api.get(URL, {"level": "Z"}).status_code == 400


def test_updated_since_and_sparse_fields(api_for, rep_user):
    old = CustomerFactory(owner=rep_user)
    Customer.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    new = CustomerFactory(owner=rep_user)
    api = api_for(rep_user)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(api.get(URL, {"updated_since": since})) == [new.pk]
    row = api.get(URL, {"fields": "name,email"}).json()["results"][0]
    assert set(row) == {"id", "name", "email"}


def test_the_list_runs_a_bounded_number_of_queries(api_for, rep_user, django_assert_max_num_queries):
    api = api_for(rep_user)
    tag = TagFactory(name="t")
    for _ in range(5):
        CustomerFactory(owner=rep_user).tags.add(tag)
    api.get(URL)  # token use logged, caches warm
    with django_assert_max_num_queries(10) as small:
        api.get(URL)
    for _ in range(40):
        CustomerFactory(owner=rep_user).tags.add(tag)
    with django_assert_max_num_queries(len(small.captured_queries)):
        api.get(URL)


# ---- upsert and bulk


def test_upsert_by_external_id_creates_then_updates(api_for, rep_user):
    api = api_for(rep_user)
    created = api.put(f"{URL}by-external-id/ERP-9/", {"name": "Gamma"}, format="json")
    assert created.status_code == 201 and created.json()["external_id"] == "ERP-9"
    updated = api.put(f"{URL}by-external-id/ERP-9/", {"name": "Gamma 2"}, format="json")
    assert updated.status_code == 200 and updated.json()["id"] == created.json()["id"]
    via_post = api.post(f"{URL}?upsert=external_id", {"name": "Gamma 3", "external_id": "ERP-9"}, format="json")
    assert via_post.status_code == 200
    assert Customer.objects.get(external_id="ERP-9").name == "Gamma 3"


def test_bulk_atomic_is_all_or_nothing_and_non_atomic_reports_per_record(api_for, rep_user):
    api = api_for(rep_user)
    records = [{"name": "One", "external_id": "B-1"}, {"name": ""}, {"name": "Three"}]
    response = api.post(f"{URL}bulk/", {"records": records}, format="json")
    assert response.status_code == 400 and response.json()["applied"] is False
    assert [r["status"] for r in response.json()["results"]] == [201, 400, 201]
    assert "name" in response.json()["results"][1]["errors"]
    assert not Customer.objects.exists()
    response = api.post(f"{URL}bulk/?atomic=false", {"records": records}, format="json")
    assert response.status_code == 200 and [r["status"] for r in response.json()["results"]] == [201, 400, 201]
    assert set(Customer.objects.values_list("name", flat=True)) == {"One", "Three"}
    again = api.post(f"{URL}bulk/", {"records": [{"external_id": "B-1", "name": "One again"}]}, format="json")
    assert again.json()["results"][0]["status"] == 200
    assert Customer.objects.get(external_id="B-1").name == "One again"


def test_bulk_refuses_more_than_the_limit(api_for, rep_user, settings):
    settings.API_BULK_MAX_RECORDS = 2
    response = api_for(rep_user).post(f"{URL}bulk/", {"records": [{"name": str(n)} for n in range(3)]}, format="json")
    assert response.status_code == 400 and "records" in response.json()
