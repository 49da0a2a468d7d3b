"""One normaliser per kind of value (crm/normalise.py): the duplicate check, search and the keyed hashes of
encrypted fields fold a phone or a word the same way, so a value typed one way finds it stored another."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from crm import crypto
from crm.crypto import blind_index
from crm.normalise import normalise_email, normalise_phone, normalise_text
from customers import dedupe, search
from customers.dedupe import find_duplicates
from customers.models import Contact
from tests.factories import ContactFactory, CustomerFactory

landlines = st.tuples(
    st.sampled_from(["21", "10", "755", "571", "20"]), st.from_regex(r"[2-8][0-9]{7}", fullmatch=True)
)
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


def test_every_app_uses_the_one_normaliser():
    assert dedupe.normalise_phone is crypto.normalise_phone is normalise_phone
    assert search.normalise_text is crypto.normalise_text is normalise_text


def test_a_mainland_landline_with_country_code_keeps_its_area_code():
    assert normalise_phone("+86 21 6888 8888") == normalise_phone("021-6888-8888") == "02168888888"


@given(landlines)
def test_landline_variants_hash_alike(landline):
    area, number = landline
    variants = [f"0{area}-{number}", f"+86 {area} {number[:4]} {number[4:]}", f"0086 {area} {number}"]
    assert len({blind_index(v, "phone") for v in variants}) == 1


@given(mobiles)
def test_mobile_variants_hash_alike(mobile):
    variants = [mobile, f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}", f"0086{mobile}", f"86 {mobile}"]
    assert len({blind_index(v, "phone") for v in variants}) == 1


@given(st.text())
def test_text_normalisation_is_idempotent(value):
    once = normalise_text(value)
    assert normalise_text(once) == once


@given(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True))
def test_text_normalisation_folds_case_width_and_spaces(value):
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in value)
    assert normalise_text(f"  {full_width.upper()} ") == normalise_text(value.lower()) == value.lower()


@given(st.text())
def test_email_normalisation_is_text_normalisation(value):
    assert normalise_email(value) == normalise_text(value)


@pytest.mark.django_db
def test_a_contact_mobile_stored_as_a_landline_is_found_when_typed_with_country_code(rep_user):
    customer = CustomerFactory(owner=rep_user, name="明远贸易")
    ContactFactory(customer=customer, mobile="021-6888-8888")
    found = find_duplicates(user=rep_user, phone="+86 21 6888 8888")
    assert customer in found


@pytest.mark.django_db
def test_migration_recomputes_mobile_hashes_kept_under_the_old_rule(rep_user):
    contact = ContactFactory(customer=CustomerFactory(owner=rep_user), mobile="+86 21 6888 8888")
    # The hash the old rule stored: country code kept, no trunk zero.
    old = crypto.blind_index("862168888888", "phone")
    Contact.objects.filter(pk=contact.pk).update(mobile_hash=old)
    migration = importlib.import_module("customers.migrations.0010_mobile_hash_one_phone_rule")
    migration.recompute_mobile_hashes(None, SimpleNamespace(connection=connection))
    stored = Contact.objects.filter(pk=contact.pk).values_list("mobile_hash", flat=True).get()
    assert stored == blind_index("021 6888 8888", "phone")
