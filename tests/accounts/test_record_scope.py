"""Record scope: who sees which customers, through every door."""

import pytest
from django.urls import reverse

from customers.models import Customer, CustomerShare
from tests.factories import ContactFactory, CustomerFactory, TagFactory
from tests.list_rows import shown_customers

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(rep_user, other_rep, far_rep):
    return {
        "mine": CustomerFactory(name="Alpha Mine Ltd.", owner=rep_user),
        "teammate": CustomerFactory(name="Beta Teammate Ltd.", owner=other_rep),
        "far": CustomerFactory(name="Gamma Far Ltd.", owner=far_rep),
    }


@pytest.mark.parametrize("url_name", ["customer-detail", "customer-update", "customer-delete"])
def test_rep_gets_404_for_another_reps_customer(client_for, rep_user, customers, url_name):
    client = client_for(rep_user)
    url = reverse(f"customers:{url_name}", args=[customers["teammate"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Hijacked"}).status_code == 404
    customers["teammate"].refresh_from_db()
    assert customers["teammate"].name == "Beta Teammate Ltd."
    assert Customer.objects.filter(pk=customers["teammate"].pk).exists()


def test_rep_reaches_own_customer(client_for, rep_user, customers):
    client = client_for(rep_user)
    for url_name in ["customer-detail", "customer-update", "customer-delete"]:
        response = client.get(reverse(f"customers:{url_name}", args=[customers["mine"].pk]))
        assert response.status_code == 200


def test_rep_list_and_search_show_only_own_customers(client_for, rep_user, customers):
    client = client_for(rep_user)
    listed = shown_customers(client.get(reverse("customers:customer-list")).context["page"])
    assert listed == [customers["mine"]]
    searched = shown_customers(client.get(reverse("customers:customer-list"), {"q": "ltd."}).context["page"])
    assert searched == [customers["mine"]]
    assert list(client.get(reverse("customers:customer-list"), {"q": "Beta"}).context["page"]) == []


def test_rep_contact_of_another_reps_customer_is_404(client_for, rep_user, customers):
    contact = ContactFactory(customer=customers["teammate"])
    client = client_for(rep_user)
    url = reverse("customers:contact-update", args=[customers["teammate"].pk, contact.pk])
    assert client.get(url).status_code == 404
    names = [c.name for c in client.get(reverse("customers:contact-list")).context["page"]]
    assert contact.name not in names


def test_bulk_action_never_reaches_outside_scope(client_for, rep_user, customers):
    tag = TagFactory(name="vip")
    client = client_for(rep_user)
    response = client.post(
        reverse("customers:customer-bulk"),
        {"action": "add_tag", "tag": tag.pk, "confirm": "1", "ids": [customers["mine"].pk, customers["teammate"].pk]},
    )
    # a request that names a customer outside the scope is refused whole: nothing half-done
    assert response.status_code == 302
    assert not tag.customers.exists()


def test_bulk_add_tag_and_assign_owner_within_scope(client_for, manager, rep_user, other_rep, customers):
    tag = TagFactory(name="vip")
    client = client_for(manager)
    ids = [customers["mine"].pk, customers["teammate"].pk]
    client.post(reverse("customers:customer-bulk"), {"action": "add_tag", "tag": tag.pk, "confirm": "1", "ids": ids})
    assert set(tag.customers.all()) == {customers["mine"], customers["teammate"]}
    client.post(
        reverse("customers:customer-bulk"),
        {"action": "assign_owner", "owner": other_rep.pk, "confirm": "1", "ids": ids},
    )
    assert set(Customer.objects.filter(owner=other_rep)) == {customers["mine"], customers["teammate"]}


def test_bulk_first_step_asks_for_the_owner(client_for, manager, customers):
    response = client_for(manager).post(
        reverse("customers:customer-bulk"), {"action": "assign_owner", "ids": [customers["mine"].pk]}
    )
    assert response.status_code == 200
    assert "customers/customer_bulk.html" in [t.name for t in response.templates]


def test_bulk_assign_cannot_give_to_user_outside_scope(client_for, rep_user, far_rep, customers):
    client = client_for(rep_user)
    client.post(
        reverse("customers:customer-bulk"),
        {"action": "assign_owner", "owner": far_rep.pk, "confirm": "1", "ids": [customers["mine"].pk]},
    )
    customers["mine"].refresh_from_db()
    assert customers["mine"].owner == rep_user


def test_manager_sees_the_teams_customers_only(client_for, manager, customers):
    client = client_for(manager)
    listed = set(shown_customers(client.get(reverse("customers:customer-list")).context["page"]))
    assert listed == {customers["mine"], customers["teammate"]}
    assert client.get(reverse("customers:customer-detail", args=[customers["far"].pk])).status_code == 404


def test_manager_sees_sub_teams(client_for, manager, team, customers, far_rep):
    far_rep.team.parent = team
    far_rep.team.save()
    client = client_for(manager)
    listed = set(shown_customers(client.get(reverse("customers:customer-list")).context["page"]))
    assert customers["far"] in listed


def test_executive_sees_all_customers(client_for, executive, customers):
    client = client_for(executive)
    listed = set(shown_customers(client.get(reverse("customers:customer-list")).context["page"]))
    assert listed == set(customers.values())
    assert client.get(reverse("customers:customer-detail", args=[customers["far"].pk])).status_code == 200


def test_executive_reads_but_cannot_edit(client_for, executive, customers):
    client = client_for(executive)
    assert client.get(reverse("customers:customer-update", args=[customers["far"].pk])).status_code == 403


def test_shared_customer_is_visible_to_the_user_it_is_shared_with(client_for, rep_user, customers):
    CustomerShare.objects.create(customer=customers["far"], user=rep_user)
    client = client_for(rep_user)
    assert client.get(reverse("customers:customer-detail", args=[customers["far"].pk])).status_code == 200
    assert customers["far"] in set(shown_customers(client.get(reverse("customers:customer-list")).context["page"]))


def test_anonymous_user_is_sent_to_login(client, customers):
    response = client.get(reverse("customers:customer-detail", args=[customers["mine"].pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_visible_to_is_empty_for_inactive_users(rep_user, customers):
    rep_user.is_active = False
    assert not Customer.objects.visible_to(rep_user).exists()
