"""Duplicate detection: normalised phones, e-mails and names, the warning on entry and the finder."""

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from customers import services
from customers.dedupe import (
    REASON_EMAIL,
    REASON_NAME,
    REASON_PHONE,
    find_duplicates,
    normalise_email,
    normalise_name,
    normalise_phone,
)
from customers.models import Customer
from tests.factories import ContactFactory, CustomerFactory


def full_width(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms (what a Chinese IME types)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ("\u3000" if ch == " " else ch) for ch in text)


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.tuples(
    st.sampled_from(["21", "10", "755", "571", "20"]), st.from_regex(r"[2-8][0-9]{7}", fullmatch=True)
)
# Characters that appear in no legal-form suffix, so a base name never ends with half a suffix.
CJK_NAME_CHARS = "上海北京深圳华信科技电子贸易发展明珠网络软件工程物流东方大地"
ascii_names = st.from_regex(r"[a-z][a-z0-9]{1,11}", fullmatch=True)
cjk_names = st.text(alphabet=CJK_NAME_CHARS, min_size=2, max_size=10)


# --- normalisation: properties -----------------------------------------------------------------


@given(st.text())
def test_phone_normalisation_is_idempotent(value):
    """Normalising a normalised phone changes nothing, whatever the input."""
    once = normalise_phone(value)
    assert normalise_phone(once) == once
    assert once.isascii() and (once == "" or once.isdigit())


@given(st.text())
def test_email_normalisation_is_idempotent(value):
    once = normalise_email(value)
    assert normalise_email(once) == once


@given(st.text())
def test_name_normalisation_is_idempotent(value):
    once = normalise_name(value)
    assert normalise_name(once) == once


@given(mobiles)
def test_mobile_formatting_variants_are_equal(mobile):
    """+86 138-0013-8000, 0086 13800138000, (+86) 138 0013 8000 and full-width digits are one number."""
    a, b, c = mobile[:3], mobile[3:7], mobile[7:]
    variants = [
        mobile,
        f"+86 {a}-{b}-{c}",
        f"0086 {mobile}",
        f"(+86) {a} {b} {c}",
        f"86{mobile}",
        f"+86{mobile}",
        f" {a}.{b}.{c} ",
        f"({a}) {b}-{c}",
        full_width(mobile),
        full_width(f"+86 {a}-{b}-{c}"),
    ]
    assert {normalise_phone(v) for v in variants} == {mobile}


@given(landlines)
def test_landline_variants_keep_the_area_code(landline):
    """(021) 6888-8888, 021-68888888 and +86 21 6888 8888 are one number, written with its area code."""
    area, number = landline
    expected = f"0{area}{number}"
    variants = [
        f"0{area}-{number}",
        f"(0{area}) {number[:4]}-{number[4:]}",
        f"+86 {area} {number[:4]} {number[4:]}",
        f"0086-{area}-{number}",
        f"+86 (0){area} {number}",
        full_width(f"0{area}-{number}"),
    ]
    assert {normalise_phone(v) for v in variants} == {expected}


@given(
    st.from_regex(r"[a-z][a-z0-9._]{0,15}", fullmatch=True),
    st.from_regex(r"[a-z0-9]{1,10}\.(com|cn|net)", fullmatch=True),
)
def test_email_case_space_and_width_variants_are_equal(local, domain):
    email = f"{local}@{domain}"
    variants = [email, email.upper(), f"  {email}\t", f" {email.title()} ", full_width(email), f"\u3000{email}\u3000"]
    assert {normalise_email(v) for v in variants} == {email}


@given(
    cjk_names,
    st.sampled_from(
        ["有限公司", " 有限公司", "有限责任公司", "股份有限公司", "集团", "公司", "集团有限公司", "（集团）有限公司"]
    ),
)
def test_chinese_company_suffixes_are_ignored(base, suffix):
    assert normalise_name(base + suffix) == normalise_name(base) == base


@given(
    ascii_names,
    st.sampled_from(
        [
            " Co., Ltd.",
            " Co. Ltd",
            " Inc.",
            ", LLC",
            " Ltd",
            " Limited",
            " Corp.",
            " Corporation",
            " GmbH",
            " Company Limited",
        ]
    ),
)
def test_english_company_suffixes_case_and_width_are_ignored(base, suffix):
    expected = normalise_name(base)
    assert normalise_name(base + suffix) == expected
    assert normalise_name((base + suffix).upper()) == expected
    assert normalise_name(full_width(base + suffix)) == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("上海华信科技有限公司", "上海华信科技"),
        ("上海华信科技 有限公司", "上海华信科技"),
        ("上海华信科技股份有限公司", "上海 华信 科技"),
        ("ACME Co., Ltd.", "acme"),
        ("ＡＣＭＥ　ＣＯ．，ＬＴＤ．", "Acme"),
        ("Müller GmbH", "MÜLLER"),
    ],
)
def test_name_examples_are_equal(first, second):
    assert normalise_name(first) == normalise_name(second)


def test_names_are_not_over_stripped():
    """A suffix is only a suffix at the end and as a whole word: Costco stays Costco; a name that is
    nothing but a suffix is kept rather than emptied."""
    assert normalise_name("Costco") == "costco"
    assert normalise_name("Zinc Mining") == "zincmining"
    assert normalise_name("有限公司") == "有限公司"
    assert normalise_name("北京公司贸易") == "北京公司贸易"
    assert unicodedata.is_normalized("NFKC", normalise_name("ﬁ Ltd"))


# --- find_duplicates -------------------------------------------------------------------------


@pytest.fixture
def huaxin(rep_user):
    customer = services.customer_create(
        actor=rep_user,
        data={"name": "上海华信科技有限公司", "phone": "+86 138-0013-8000", "email": "Info@HuaXin.example"},
    )
    services.contact_create(
        actor=rep_user,
        customer=customer,
        data={"name": "王建华", "mobile": "139 1234 5678", "email": "wang@hx.example"},
    )
    return customer


@pytest.mark.django_db
def test_find_duplicates_matches_phone_email_and_name_with_reasons(rep_user, huaxin):
    unrelated = services.customer_create(
        actor=rep_user, data={"name": "Northwind Trading", "phone": "010-12345678", "email": "a@northwind.example"}
    )

    by_phone = find_duplicates(user=rep_user, phone="0086 13800138000")
    assert by_phone == [huaxin]
    assert by_phone[0].duplicate_reasons == [REASON_PHONE]

    assert find_duplicates(user=rep_user, phone="+86 139-1234-5678") == [huaxin]  # a contact's mobile
    assert find_duplicates(user=rep_user, email=" info@huaxin.EXAMPLE ") == [huaxin]
    assert find_duplicates(user=rep_user, email="WANG@hx.example")[0].duplicate_reasons == [REASON_EMAIL]

    by_name = find_duplicates(user=rep_user, name="上海华信科技")
    assert by_name == [huaxin]
    assert by_name[0].duplicate_reasons == [REASON_NAME]

    everything = find_duplicates(
        user=rep_user, name="上海华信科技 有限公司", phone="13800138000", email="info@huaxin.example"
    )
    assert everything == [huaxin]
    assert everything[0].duplicate_reasons == [REASON_PHONE, REASON_EMAIL, REASON_NAME]

    assert find_duplicates(user=rep_user, name="华为技术", phone="13900000000", email="x@y.example") == []
    assert find_duplicates(user=rep_user, phone="13800138000", exclude_pk=huaxin.pk) == []
    assert find_duplicates(user=rep_user, name="Northwind Trading Co., Ltd.") == [unrelated]


@pytest.mark.django_db
def test_find_duplicates_name_ranks_and_english_suffixes(rep_user):
    acme = CustomerFactory(name="ACME Co., Ltd.", owner=rep_user, phone="")
    CustomerFactory(name="Acme Robotics Europe", owner=rep_user, phone="")
    matches = find_duplicates(user=rep_user, name="acme")
    assert matches[0] == acme
    assert matches[0].name_similarity == 1.0


@pytest.mark.django_db
def test_find_duplicates_respects_record_scope(rep_user, other_rep, manager):
    """A rep is not told about another rep's customer; their manager sees both."""
    mine = CustomerFactory(name="Mine Ltd", owner=rep_user, phone="13800138000")
    theirs = CustomerFactory(name="上海华信科技有限公司", owner=other_rep, phone="13800138000", email="x@hx.example")

    assert find_duplicates(user=rep_user, phone="+86 138 0013 8000") == [mine]
    assert find_duplicates(user=rep_user, name="上海华信科技", email="x@hx.example") == []
    assert set(find_duplicates(user=manager, phone="13800138000")) == {mine, theirs}
    assert find_duplicates(user=manager, name="上海华信科技") == [theirs]


# --- the warning on the create form ----------------------------------------------------------


def _create_payload(rep_user, **overrides):
    data = {
        "name": "上海华信科技",
        "kind": "company",
        "level": "C",
        "lifecycle_stage": "prospect",
        "owner": rep_user.pk,
        "phone": "13800138000",
        "email": "",
        "consent": "unknown",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_warns_about_duplicates_and_save_anyway_saves(client_for, rep_user, huaxin):
    client = client_for(rep_user)
    url = reverse("customers:customer-create")

    # given a customer with this phone exists, when the same one is entered again
    response = client.post(url, _create_payload(rep_user))
    # then nothing is saved and the form comes back with the match, its link and the reasons
    assert response.status_code == 200
    assert Customer.objects.count() == 1
    html = response.content.decode()
    assert "This customer may already exist" in html
    assert huaxin.get_absolute_url() in html
    assert "same phone" in html and "similar name" in html
    assert 'name="confirm_duplicates"' in html

    # when "save anyway" is ticked, it is saved
    response = client.post(url, _create_payload(rep_user, confirm_duplicates="on"))
    assert response.status_code == 302
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_create_without_duplicates_saves_at_once(client_for, rep_user, huaxin):
    response = client_for(rep_user).post(
        reverse("customers:customer-create"), _create_payload(rep_user, name="Northwind", phone="010-87654321")
    )
    assert response.status_code == 302
    assert Customer.objects.filter(name="Northwind").exists()


@pytest.mark.django_db
def test_create_does_not_warn_about_customers_out_of_scope(client_for, rep_user, other_rep):
    CustomerFactory(name="上海华信科技有限公司", owner=other_rep, phone="13800138000")
    response = client_for(rep_user).post(reverse("customers:customer-create"), _create_payload(rep_user))
    assert response.status_code == 302


@pytest.mark.django_db
def test_live_check_lists_matches_while_typing(client_for, rep_user, huaxin):
    client = client_for(rep_user)
    url = reverse("customers:duplicate-check")
    response = client.get(url, {"name": "", "phone": "+86 138 0013 8000", "email": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert huaxin.name in response.content.decode()
    assert "confirm_duplicates" not in response.content.decode()
    empty = client.get(url, {"name": "完全不同", "phone": "", "email": ""}, HTTP_HX_REQUEST="true")
    assert huaxin.name not in empty.content.decode()


# --- the duplicate finder page -----------------------------------------------------------------


def _pairs(client):
    response = client.get(reverse("customers:duplicate-list"))
    assert response.status_code == 200
    return {(p.survivor.pk, p.merged.pk): set(p.reasons) for p in response.context["page"].object_list}


@pytest.mark.django_db
def test_duplicate_list_pairs_equal_email_phone_and_similar_names(client_for, manager, rep_user, far_rep):
    a = CustomerFactory(name="Alpha Trading", owner=rep_user, phone="+86 138-0013-8000", email="A@alpha.example")
    b = CustomerFactory(name="Bravo Logistics", owner=rep_user, phone="8613800138000", email="a@ALPHA.example")
    c = CustomerFactory(name="上海华信科技有限公司", owner=manager, phone="", email="c@c.example")
    d = CustomerFactory(name="上海华信科技", owner=rep_user, phone="", email="d@d.example")
    CustomerFactory(name="Delta Foods", owner=rep_user, phone="010-11112222", email="delta@d.example")
    # out of the manager's team: never paired with anything
    CustomerFactory(name="Alpha Trading Co., Ltd.", owner=far_rep, phone="13800138000", email="a@alpha.example")

    pairs = _pairs(client_for(manager))

    assert pairs == {(a.pk, b.pk): {"email", "phone"}, (c.pk, d.pk): {"name"}}


@pytest.mark.django_db
def test_duplicate_list_needs_merge_permission(client_for, rep_user):
    assert client_for(rep_user).get(reverse("customers:duplicate-list")).status_code == 403


@pytest.mark.django_db
def test_duplicate_list_query_count_is_flat(client_for, manager, rep_user):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("customers:duplicate-list"))
        assert response.status_code == 200
        return len(queries)

    client = client_for(manager)
    for i in range(3):
        CustomerFactory(name=f"Pair {i} Holdings", owner=rep_user, phone=f"1380013{i:04d}")
        CustomerFactory(name=f"Other {i} Foods", owner=rep_user, phone=f"+86 1380013{i:04d}")
    few = count()
    for i in range(3, 40):
        CustomerFactory(name=f"Pair {i} Holdings", owner=rep_user, phone=f"1380013{i:04d}")
        CustomerFactory(name=f"Other {i} Foods", owner=rep_user, phone=f"+86 1380013{i:04d}")
    ContactFactory.create_batch(5, customer=Customer.objects.first())
    assert count() == few
    assert few <= 12
