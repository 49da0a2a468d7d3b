"""Creating, editing and deleting customers and contacts through the app's pages."""

import pytest
from django.urls import reverse

from crm.models import BehaviourLog
from customers.models import Contact, Customer
from customers.search import customer_search
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "name": "杭州远航物流有限公司",
        "kind": "company",
        "level": "B",
        "lifecycle_stage": "prospect",
        "phone": "+86 571-8888 6666",
        "email": "info@yuanhang.example",
        "consent": "unknown",
    }
    data.update(overrides)
    return data


def test_create_customer_saves_owner_team_history_and_log(client_for, rep_user):
    client = client_for(rep_user)
    response = client.post(reverse("customers:customer-create"), _form(owner=rep_user.pk))
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()
    assert customer.owner == rep_user
    assert customer.team == rep_user.team
    assert customer.created_by == rep_user
    assert "杭州远航物流" in customer.search_document
    assert customer.history.count() == 1
    assert BehaviourLog.objects.filter(action="create", object_id=str(customer.pk), user=rep_user).exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "call me maybe", "Enter a valid phone number"),
        ("phone", "12", "Enter a valid phone number"),
        ("name", "   ", "This field is required."),
        ("name", "", "This field is required."),
    ],
)
def test_bad_input_is_reported_on_the_field_and_nothing_is_saved(client_for, rep_user, field, value, message):
    client = client_for(rep_user)
    response = client.post(reverse("customers:customer-create"), _form(owner=rep_user.pk, **{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not Customer.objects.exists()
    assert not BehaviourLog.objects.filter(action="create").exists()


def test_rep_cannot_make_someone_outside_scope_the_owner(client_for, rep_user, far_rep):
    client = client_for(rep_user)
    response = client.post(reverse("customers:customer-create"), _form(owner=far_rep.pk))
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_edit_records_field_level_history_shown_on_detail(client_for, rep_user):
    client = client_for(rep_user)
    client.post(reverse("customers:customer-create"), _form(owner=rep_user.pk))
    customer = Customer.objects.get()
    client.post(
        reverse("customers:customer-update", args=[customer.pk]),
        _form(owner=rep_user.pk, level="A", email="sales@yuanhang.example"),
    )
    customer.refresh_from_db()
    assert customer.level == "A"
    response = client.get(customer.get_absolute_url())
    history = response.context["history"]
    changed = {str(change["field"]): (change["old"], change["new"]) for change in history[0]["changes"]}
    assert changed["level"] == ("B", "A")
    assert changed["e-mail"] == ("info@yuanhang.example", "sales@yuanhang.example")
    assert "sales@yuanhang.example" in response.content.decode()


def test_consent_change_records_when(client_for, rep_user):
    client = client_for(rep_user)
    client.post(reverse("customers:customer-create"), _form(owner=rep_user.pk, consent="given", consent_method="form"))
    customer = Customer.objects.get()
    assert customer.consent == "given"
    assert customer.consent_at is not None


def test_delete_asks_for_confirmation_then_deletes_and_logs(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    client = client_for(rep_user)
    url = reverse("customers:customer-delete", args=[customer.pk])
    assert "confirm-delete" in client.get(url).content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert BehaviourLog.objects.filter(action="delete", object_id=str(customer.pk)).exists()


def test_add_contact_updates_search_and_keeps_one_primary(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    client = client_for(rep_user)
    url = reverse("customers:contact-create", args=[customer.pk])
    client.post(url, {"name": "李娜", "mobile": "138 0013 8000", "is_primary": "on"})
    client.post(url, {"name": "Tom Smith", "email": "tom@example.com", "is_primary": "on"})
    contacts = {c.name: c for c in Contact.objects.filter(customer=customer)}
    assert not contacts["李娜"].is_primary
    assert contacts["Tom Smith"].is_primary
    customer.refresh_from_db()
    assert "李娜" in customer.search_document
    # The mobile is encrypted at rest: found by exact value through its keyed hash, not the document.
    assert "13800138000" not in customer.search_document
    assert list(customer_search(Customer.objects.all(), "13800138000")) == [customer]


def test_contact_with_bad_email_is_refused(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    response = client_for(rep_user).post(
        reverse("customers:contact-create", args=[customer.pk]), {"name": "X", "email": "x@"}
    )
    assert "email" in response.context["form"].errors
    assert not Contact.objects.exists()


def test_detail_page_query_count_does_not_grow_with_contacts(client_for, rep_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers import services

    customer = services.customer_create(actor=rep_user, data={"name": "Q Corp"})
    client = client_for(rep_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(customer.get_absolute_url()).status_code == 200
        return len(queries)

    services.contact_create(actor=rep_user, customer=customer, data={"name": "First"})
    few = count()
    for i in range(15):
        services.contact_create(actor=rep_user, customer=customer, data={"name": f"Person {i}"})
    assert count() == few
