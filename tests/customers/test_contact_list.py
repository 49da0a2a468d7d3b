"""The contact list: its scope is a condition on the contact's own copies of the customer's owner and team
(kept by the database on every path), its search is indexed, and its query count is flat."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from crm.importexport.bulk import copy_insert
from customers import services
from customers.models import Contact, Customer, CustomerShare
from customers.services import transfer
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


def test_imported_contacts_carry_their_customers_scope_on_create_and_on_update(manager, rep_user, other_rep):
    """The import writes the copies of the customers it creates itself; a contact it adds to an existing customer
    (update policy) gets them from the insert trigger, after the owner column has moved that customer."""
    existing = CustomerFactory(name="华信科技 (旧名)", owner=other_rep, phone="(021) 6888-1234")
    rows = [
        ["客户名称", "联系电话", "负责人", "联系人", "手机"],
        ["上海华信科技有限公司", "+86 21-6888 1234", "alice", "王建华", "13800138000"],
        ["杭州云杉智能科技有限公司", "0571-8888 6666", "alice", "李娜", "13900139000"],
        ["Northwind Trading", "010-8888 0001", "", "John Smith", ""],
    ]
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    outcome = transfer.customers_import(
        actor=manager, file=SimpleUploadedFile("customers.xlsx", content.getvalue()), duplicate_policy="update"
    )
    assert (outcome.created, outcome.updated) == (2, 1)
    for name, owner in [("王建华", rep_user), ("李娜", rep_user), ("John Smith", manager)]:
        contact = Contact.objects.get(name=name)
        assert _scope_copies(contact) == (owner.pk, owner.team_id), name
        assert contact.customer.owner == owner
    assert Contact.objects.get(name="王建华").customer == existing


def test_contacts_written_without_scope_copies_get_them_from_the_customer_on_insert(rep_user, other_rep):
    """The insert trigger only skips its lookup when the writer gave the copies: every other way of inserting
    contacts (a save, bulk_create, COPY, plain SQL) still gets them."""
    customer = CustomerFactory(owner=rep_user)
    saved = Contact.objects.create(customer=customer, name="王建华")
    created_in_bulk = Contact.objects.bulk_create([Contact(customer=customer, name="李娜")])[0]
    with transaction.atomic():
        copied = Contact(customer=customer, name="John Smith")
        copy_insert(Contact, [copied])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_contact (customer_id, name, title, mobile, mobile_hash, phone, email, is_primary, "
            "notes, search_document, search_grams, created_at, updated_at) "
            "VALUES (%s, '张伟', '', '', '', '', '', false, '', '', '', now(), now()) RETURNING id",
            [customer.pk],
        )
        in_sql = Contact(pk=cursor.fetchone()[0])
    for contact in (saved, created_in_bulk, copied, in_sql):
        assert _scope_copies(contact) == (rep_user.pk, rep_user.team_id)

    # Copies written on an update are always replaced by the customer's.
    Contact.objects.filter(pk=saved.pk).update(customer_owner_id=other_rep.pk, customer_team_id=None)
    assert _scope_copies(saved) == (rep_user.pk, rep_user.team_id)


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
