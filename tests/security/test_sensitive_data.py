"""Encrypted ID numbers and personal mobiles: unreadable in the database, readable in the app, masked in
lists without the permission, found by exact value through the keyed hash, re-encrypted on key rotation."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from crm import crypto
from crm.fields import exact
from customers.models import Contact, Customer
from customers.search import customer_search
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        return cursor.fetchone()[0]


def test_mobile_is_ciphertext_in_the_database_and_plain_in_the_app(rep_user):
    contact = ContactFactory(customer=CustomerFactory(owner=rep_user), mobile="13800138000")
    stored = raw("customers_contact", "mobile", contact.pk)
    assert "13800138000" not in stored and stored.startswith("gAAAA")
    assert Contact.objects.get(pk=contact.pk).mobile == "13800138000"
    assert Contact.objects.filter(pk=contact.pk).values_list("mobile", flat=True)[0] == "13800138000"
    history = contact.history.first()
    assert history.mobile == "13800138000"
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM customers_historicalcontact WHERE id = %s", [contact.pk])
        assert all("13800138000" not in row[0] for row in cursor.fetchall())


def test_equal_values_encrypt_differently_so_the_column_reveals_no_duplicates(rep_user):
    first, second = ContactFactory(mobile="13800138000"), ContactFactory(mobile="13800138000")
    assert raw("customers_contact", "mobile", first.pk) != raw("customers_contact", "mobile", second.pk)
    assert first.mobile_hash == second.mobile_hash != ""


def test_id_number_saved_through_the_service_is_encrypted_and_validated(client_for, manager):
    customer = CustomerFactory(owner=manager, kind=Customer.Kind.INDIVIDUAL, name="张三")
    client = client_for(manager)
    url = reverse("customers:customer-update", args=[customer.pk])
    form = {"name": "张三", "kind": "individual", "level": "C", "lifecycle_stage": "prospect", "owner": manager.pk}
    form |= {"consent": "unknown"}
    bad = client.post(url, form | {"id_number": "110105194912310021"})
    assert bad.status_code == 200 and "id_number" in bad.context["form"].errors

    response = client.post(url, form | {"id_number": ID_NUMBER})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert ID_NUMBER not in raw("customers_customer", "id_number", customer.pk)
    customer.refresh_from_db()
    assert customer.id_number == ID_NUMBER
    company = client.post(url, form | {"kind": "company", "id_number": ID_NUMBER})
    assert "id_number" in company.context["form"].errors


def test_exact_search_on_encrypted_values(rep_user, client_for):
    customer = CustomerFactory(owner=rep_user, kind=Customer.Kind.INDIVIDUAL)
    customer.id_number = ID_NUMBER
    customer.save()
    ContactFactory(customer=customer, name="李娜", mobile="138 0013 8000")
    ContactFactory(customer=CustomerFactory(owner=rep_user), name="王五", mobile="13900000000")

    assert list(exact(Customer.objects.all(), "id_number", "110105 19491231 002x")) == [customer]
    assert not exact(Customer.objects.all(), "id_number", "110105194912310000").exists()
    assert list(customer_search(Customer.objects.all(), "+86 13800138000")) == [customer]
    assert not customer_search(Customer.objects.all(), "1380013").exists()  # no partial matches

    client = client_for(rep_user)
    names = [c.name for c in client.get(reverse("customers:contact-list"), {"q": "+86 138-0013-8000"}).context["page"]]
    assert names == ["李娜"]


def test_lists_mask_mobiles_for_roles_without_the_permission(client_for, rep_user, manager):
    ContactFactory(customer=CustomerFactory(owner=rep_user), name="李娜", mobile="13800138000")
    rep_page = client_for(rep_user).get(reverse("customers:contact-list")).content.decode()
    assert "138****8000" in rep_page and "13800138000" not in rep_page
    assert manager.has_perm("customers.view_sensitive_customer")
    manager_page = client_for(manager).get(reverse("customers:contact-list")).content.decode()
    assert "13800138000" in manager_page


def test_key_rotation_re_encrypts_under_the_new_key(settings, rep_user):
    contact = ContactFactory(mobile="13800138000")
    customer = CustomerFactory(owner=rep_user, kind=Customer.Kind.INDIVIDUAL)
    customer.id_number = ID_NUMBER
    customer.save()
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert not crypto.is_current(raw("customers_contact", "mobile", contact.pk))

    call_command("rotate_encryption_key")

    assert crypto.is_current(raw("customers_contact", "mobile", contact.pk))
    assert crypto.is_current(raw("customers_customer", "id_number", customer.pk))
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key can go now
    assert Contact.objects.get(pk=contact.pk).mobile == "13800138000"
    assert Customer.objects.get(pk=customer.pk).id_number == ID_NUMBER


def test_a_wrong_key_fails_loudly_rather_than_showing_ciphertext(settings):
    contact = ContactFactory(mobile="13800138000")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError):
        Contact.objects.get(pk=contact.pk)


def test_masking():
    assert crypto.mask("13800138000") == "138****8000"
    assert crypto.mask(ID_NUMBER) == "110***********002X"
    assert crypto.mask("123") == "***" and crypto.mask("") == ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_encrypts_existing_plain_mobiles():
    from django.db.migrations.executor import MigrationExecutor

    owner = UserFactory(username="legacy")
    executor = MigrationExecutor(connection)
    before, after = [("customers", "0005_customer_search_prefix")], [("customers", "0006_sensitive_fields_encrypted")]
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO customers_customer (owner_id, name, kind, industry, level, source, lifecycle_stage, "
                "phone, email, website, address, notes, consent, consent_method, created_at, updated_at, "
                "quality_score, quality_missing, churn_score, churn_reasons, rfm_segment, search_document) "
                "VALUES (%s, 'Old Co', 'company', '', 'C', '', 'prospect', '', '', '', '', '', 'unknown', '', "
                "now(), now(), 0, '[]', 0, '[]', '', '') RETURNING id",
                [owner.pk],
            )
            customer_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO customers_contact (customer_id, name, title, mobile, phone, email, is_primary, notes, "
                "created_at, updated_at) VALUES (%s, 'Old contact', '', '13800138000', '', '', false, '', now(), "
                "now()) RETURNING id",
                [customer_id],
            )
            contact_id = cursor.fetchone()[0]
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert "13800138000" not in raw("customers_contact", "mobile", contact_id)
    contact = Contact.objects.get(pk=contact_id)
    assert contact.mobile == "13800138000"
    assert contact.mobile_hash == crypto.blind_index("13800138000", "phone")


def test_a_merge_snapshot_keeps_the_id_number_encrypted_and_undo_restores_it(manager):
    from customers.services.merge import customer_merge, customer_merge_undo, default_choices

    survivor = CustomerFactory(owner=manager, kind=Customer.Kind.INDIVIDUAL, name="张三")
    merged = CustomerFactory(owner=manager, kind=Customer.Kind.INDIVIDUAL, name="张三 (2)")
    merged.id_number = ID_NUMBER
    merged.save()
    merge = customer_merge(
        actor=manager, survivor=survivor, merged=merged, choices=default_choices(survivor=survivor, merged=merged)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot::text FROM customers_customermerge WHERE id = %s", [merge.pk])
        assert ID_NUMBER not in cursor.fetchone()[0]
    restored = customer_merge_undo(actor=manager, merge=merge)
    assert Customer.objects.get(pk=restored.pk).id_number == ID_NUMBER


def test_bulk_demo_data_writes_mobiles_encrypted_with_their_hash():
    call_command("seed_demo", customers=30, contacts_per_customer=2, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, mobile FROM customers_contact WHERE mobile <> '' ORDER BY id DESC LIMIT 5")
        rows = cursor.fetchall()
    assert rows and all(mobile.startswith("gAAAA") for _pk, mobile in rows)
    contact = Contact.objects.get(pk=rows[0][0])
    assert contact.mobile.isdigit() and contact.mobile_hash == crypto.blind_index(contact.mobile, "phone")
    assert contact.customer in customer_search(Customer.objects.all(), contact.mobile)
