"""The contact list: its scope is a condition on the contact's own copies of the customer's owner and team
(kept by the database on every path), its search is indexed, and its query count is flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import services
from customers.models import Contact, Customer, CustomerShare
from customers.services.merge import customer_merge
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _page(client, **params):
    response = client.get(reverse("customers:contact-list"), params)
    assert response.status_code == 200
    return list(response.context["page"])


def _scope_copies(contact):
    return Contact.objects.filter(pk=contact.pk).values_list("customer_owner_id", "customer_team_id").get()


@pytest.mark.parametrize("user_fixture", ["rep_user", "manager", "executive"])
def test_contact_list_query_count_is_flat_and_bounded(request, client_for, user_fixture, rep_user):
    user = request.getfixturevalue(user_fixture)
    client = client_for(user)

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            _page(client, **params)
        return len(captured)

    for _ in range(3):
        ContactFactory(customer=CustomerFactory(owner=rep_user))
    few = queries()
    for _ in range(60):
        ContactFactory(customer=CustomerFactory(owner=rep_user))
    assert queries() == few <= 12
    assert queries(q="contact") <= 12


def test_contacts_visible_are_exactly_those_of_visible_customers(rep_user, other_rep, manager, executive, far_rep):
    mine = ContactFactory(customer=CustomerFactory(owner=rep_user))
    teammates = ContactFactory(customer=CustomerFactory(owner=other_rep))
    far = ContactFactory(customer=CustomerFactory(owner=far_rep))
    shared_customer = CustomerFactory(owner=far_rep)
    shared = ContactFactory(customer=shared_customer)
    CustomerShare.objects.create(customer=shared_customer, user=rep_user)
    for user in (rep_user, other_rep, manager, executive, far_rep):
        through_customers = set(Contact.objects.filter(customer__in=Customer.objects.visible_to(user)))
        assert set(Contact.objects.visible_to(user)) == through_customers, user
    assert set(Contact.objects.visible_to(rep_user)) == {mine, shared}
    assert set(Contact.objects.visible_to(manager)) == {mine, teammates}
    assert set(Contact.objects.visible_to(executive)) == {mine, teammates, far, shared}


def test_scope_copies_follow_the_customer_on_every_path(rep_user, other_rep, far_rep, manager):
    customer = services.customer_create(actor=rep_user, data={"name": "杭州云杉智能科技有限公司"})
    contact = services.contact_create(actor=rep_user, customer=customer, data={"name": "王建华"})
    assert _scope_copies(contact) == (rep_user.pk, rep_user.team_id)

    services.customer_update(actor=manager, customer=customer, data={"name": customer.name}, owner=other_rep)
    assert _scope_copies(contact) == (other_rep.pk, other_rep.team_id)

    services.customers_assign_owner(actor=manager, customers=Customer.objects.filter(pk=customer.pk), owner=rep_user)
    assert _scope_copies(contact) == (rep_user.pk, rep_user.team_id)

    Customer.objects.filter(pk=customer.pk).update(owner=far_rep, team=far_rep.team)  # a bulk update in SQL
    assert _scope_copies(contact) == (far_rep.pk, far_rep.team_id)

    # A stale instance saved later cannot write old copies back.
    stale = Contact.objects.get(pk=contact.pk)
    Customer.objects.filter(pk=customer.pk).update(owner=other_rep, team=other_rep.team)
    stale.title = "总经理"
    stale.save()
    assert _scope_copies(contact) == (other_rep.pk, other_rep.team_id)


def test_merged_customers_contacts_take_the_survivors_scope(manager, rep_user, far_rep):
    survivor = CustomerFactory(owner=rep_user, name="上海华信科技有限公司")
    merged = CustomerFactory(owner=far_rep, name="上海华信科技")
    contact = ContactFactory(customer=merged, name="李娜")
    customer_merge(actor=manager, survivor=survivor, merged=merged, choices={})
    assert _scope_copies(contact) == (rep_user.pk, rep_user.team_id)
    assert contact in Contact.objects.visible_to(rep_user)


def test_search_by_name_part_email_office_phone_and_whole_mobile(client_for, rep_user):
    customer = services.customer_create(actor=rep_user, data={"name": "武汉金桥新能源有限公司"})
    wang = services.contact_create(
        actor=rep_user,
        customer=customer,
        data={"name": "王建华", "email": "Wang@JinQiao.example", "mobile": "13800138000", "phone": "027-8765 4321"},
    )
    smith = services.contact_create(actor=rep_user, customer=customer, data={"name": "John Smith"})
    client = client_for(rep_user)
    assert _page(client, q="建华") == [wang]  # two characters, not at the start
    assert _page(client, q="华") == [wang]
    assert _page(client, q="王建华") == [wang]
    assert _page(client, q="jinqiao") == [wang]
    assert _page(client, q="8765") == [wang]
    assert _page(client, q="138 0013 8000") == [wang]  # the mobile, whole, any spacing
    assert _page(client, q="SMITH") == [smith]
    assert _page(client, q="jo") == [smith]
    assert _page(client, q="nobody") == []
    services.contact_update(actor=rep_user, contact=wang, data={"name": "王晓东", "mobile": "13800138000"})
    assert _page(client, q="建华") == []
    assert _page(client, q="晓东") == [wang]


def test_search_shows_every_match_newest_first_for_common_and_rare_words(client_for, manager, rep_user, far_rep):
    """A common word is read down the primary key, a rare one through the search index: the page is the same as
    sorting every visible match."""
    for n in range(40):
        customer = CustomerFactory(owner=[rep_user, far_rep][n % 2])
        ContactFactory(customer=customer, name="王建华" if n % 3 else f"John Smith {n}")
    rare = ContactFactory(customer=CustomerFactory(owner=rep_user), name="欧阳晓东")
    client = client_for(manager)
    visible = Contact.objects.visible_to(manager)
    for text, matches in (
        ("建华", visible.filter(name="王建华")),
        ("smith", visible.filter(name__startswith="John Smith")),
        ("晓东", visible.filter(pk=rare.pk)),
    ):
        expected = sorted(matches, key=lambda c: -c.pk)
        assert 0 < len(expected) < 25
        assert _page(client, q=text) == expected, text
