"""Personal data: consent, the data-subject export and erasure (history included), all within scope."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import BehaviourLog
from customers import selectors, services
from customers.models import CareAction, Communication, Contact, Customer, FollowUpTask
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SECRETS = [
    "13812345678",
    "wang.wei@private.example",
    "13987654321",
    "王伟",
    "李娜",
    "他说孩子下个月结婚",
    "浦东新区秘密路 8 号",
]


@pytest.fixture
def customer(manager):
    """A customer of the manager with contacts, a changed contact, a call, a task and a care action."""
    customer = services.customer_create(
        actor=manager,
        data={"name": "上海明远贸易有限公司", "phone": "021-66668888", "email": "boss@mingyuan.example",
              "address": "浦东新区秘密路 8 号", "notes": "VIP"},
    )  # fmt: skip
    wang = services.contact_create(
        actor=manager,
        customer=customer,
        data={"name": "王伟", "mobile": "13812345678", "email": "wang.wei@private.example",
              "birthday": date(1980, 5, 1), "is_primary": True},
    )  # fmt: skip
    services.contact_update(actor=manager, contact=wang, data={"mobile": "13812345678", "title": "总经理"})
    services.contact_create(actor=manager, customer=customer, data={"name": "李娜", "mobile": "13987654321"})
    Communication.objects.create(
        customer=customer, contact=wang, owner=manager, occurred_at=timezone.now(), subject="拜访",
        content="他说孩子下个月结婚",
    )  # fmt: skip
    FollowUpTask.objects.create(
        customer=customer, assignee=manager, title="送礼", due_at=timezone.now() + timedelta(days=3)
    )
    CareAction.objects.create(
        customer=customer, contact=wang, channel="sms", due_on=date(2026, 11, 23), assignee=manager,
        source_key="test:1", outcome="Sent to 13812345678.",
    )  # fmt: skip
    return customer


def test_export_contains_every_related_record_and_is_logged(client_for, manager, customer):
    response = client_for(manager).post(reverse("customers:customer-personal-data", args=[customer.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="customer-{customer.pk}-personal-data.json"'
    data = json.loads(response.content)
    assert data["customer"]["id"] == customer.pk
    assert data["customer"]["address"] == "浦东新区秘密路 8 号"
    assert {c["name"] for c in data["contacts"]} == {"王伟", "李娜"}
    assert [c["content"] for c in data["communications"]] == ["他说孩子下个月结婚"]
    assert [t["title"] for t in data["follow_up_tasks"]] == ["送礼"]
    assert [a["id"] for a in data["care_actions"]] == list(CareAction.objects.values_list("pk", flat=True))
    assert len(data["history"]["customer"]) == Customer.history.filter(id=customer.pk).count() == 1
    assert len(data["history"]["contacts"]) == Contact.history.filter(customer_id=customer.pk).count() == 3
    assert len(data["history"]["communications"]) == 1
    assert len(data["history"]["follow_up_tasks"]) == 1
    log = BehaviourLog.objects.get(action=BehaviourLog.Action.EXPORT, object_id=str(customer.pk))
    assert log.user == manager
    assert log.detail["personal_data"] is True


def test_erasure_anonymises_live_and_history_rows_and_keeps_the_counts(client_for, manager, customer):
    counts = (customer.contacts.count(), customer.communications.count(), customer.tasks.count())
    history_counts = (
        Customer.history.filter(id=customer.pk).count(),
        Contact.history.filter(customer_id=customer.pk).count(),
    )
    client = client_for(manager)

    confirm = client.get(reverse("customers:customer-erase", args=[customer.pk]))
    assert confirm.status_code == 200
    assert Customer.objects.get(pk=customer.pk).erased_at is None  # nothing happens before confirming
    response = client.post(reverse("customers:customer-erase", args=[customer.pk]))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert (customer.phone, customer.email, customer.address, customer.notes) == ("", "", "", "")
    assert customer.name == "上海明远贸易有限公司"  # a company's name is not personal data
    assert (customer.contacts.count(), customer.communications.count(), customer.tasks.count()) == counts
    for contact in customer.contacts.all():
        assert (contact.name, contact.mobile, contact.email, contact.birthday) == ("erased", "", "", None)
    assert customer.communications.get().content == ""
    assert customer.communications.get().subject == "拜访"
    for record in Contact.history.filter(customer_id=customer.pk):
        assert (record.name, record.mobile, record.email, record.birthday) == ("erased", "", "", None)
    for record in Customer.history.filter(id=customer.pk):
        assert (record.phone, record.email, record.address) == ("", "", "")
    assert Communication.history.get(customer_id=customer.pk).content == ""
    # the erasure itself adds one history record of the customer, holding anonymised values only
    assert Customer.history.filter(id=customer.pk).count() == history_counts[0] + 1
    assert Contact.history.filter(customer_id=customer.pk).count() == history_counts[1]
    assert "13812345678" not in customer.search_document
    assert BehaviourLog.objects.filter(action="delete", object_id=str(customer.pk), detail__erased=True).exists()
    # nothing personal is left anywhere the export reaches, nor in the behaviour log
    dump = json.dumps(services.privacy.customer_personal_data(customer=customer), default=str, ensure_ascii=False)
    log_dump = " ".join(BehaviourLog.objects.values_list("object_repr", flat=True))
    for secret in SECRETS:
        assert secret not in dump
        assert secret not in log_dump


def test_an_individual_customer_loses_the_name_too(manager):
    person = services.customer_create(actor=manager, data={"name": "赵敏", "kind": "individual"})
    services.privacy.customer_erase(actor=manager, customer=person)
    person.refresh_from_db()
    assert person.name == "erased"
    assert set(Customer.history.filter(id=person.pk).values_list("name", flat=True)) == {"erased"}


def test_withdrawn_consent_and_erased_customers_are_not_marketable(rep_user):
    given = CustomerFactory(owner=rep_user, consent=Customer.Consent.GIVEN)
    unknown = CustomerFactory(owner=rep_user)
    CustomerFactory(owner=rep_user, consent=Customer.Consent.WITHDRAWN)
    CustomerFactory(owner=rep_user, consent=Customer.Consent.GIVEN, erased_at=timezone.now())

    marketable = selectors.marketable_customers(Customer.objects.visible_to(rep_user))

    assert set(marketable) == {given, unknown}


def test_recording_consent_keeps_when_and_how_in_history_and_the_log(client_for, rep_user):
    customer = services.customer_create(actor=rep_user, data={"name": "Acme", "consent": "given"})
    client = client_for(rep_user)
    url = reverse("customers:customer-consent", args=[customer.pk])

    client.post(url, {"consent": "withdrawn", "consent_method": ""})
    customer.refresh_from_db()
    assert customer.consent == "given"  # saying how is required

    response = client.post(url, {"consent": "withdrawn", "consent_method": "客户来电要求"})
    customer.refresh_from_db()

    assert response.status_code == 302
    assert (customer.consent, customer.consent_method) == ("withdrawn", "客户来电要求")
    assert customer.consent_at is not None
    assert customer.history.first().consent == "withdrawn"
    log = BehaviourLog.objects.filter(object_id=str(customer.pk), action="update").latest("at")
    assert (log.detail["consent"], log.detail["previous"]) == ("withdrawn", "given")
    assert customer not in selectors.marketable_customers(Customer.objects.all())


def test_outside_scope_answers_404_and_reps_may_not_export_or_erase(client_for, manager, rep_user, far_rep):
    far = CustomerFactory(owner=far_rep, phone="13800000000")
    own = CustomerFactory(owner=rep_user)
    client = client_for(manager)
    assert client.post(reverse("customers:customer-personal-data", args=[far.pk])).status_code == 404
    assert client.post(reverse("customers:customer-erase", args=[far.pk])).status_code == 404
    assert client.post(reverse("customers:customer-consent", args=[far.pk]), {"consent": "given"}).status_code == 404
    far.refresh_from_db()
    assert far.erased_at is None and far.phone == "13800000000"

    rep = client_for(rep_user)
    assert rep.post(reverse("customers:customer-personal-data", args=[own.pk])).status_code == 403
    assert rep.post(reverse("customers:customer-erase", args=[own.pk])).status_code == 403
    assert not BehaviourLog.objects.filter(action="export").exists()


def test_erasure_also_scrubs_the_snapshots_merges_keep_for_their_undo(manager):
    from customers.models import CustomerMerge
    from customers.services.merge import customer_merge

    survivor = CustomerFactory(
        owner=manager, name="王伟", kind=Customer.Kind.INDIVIDUAL, phone="13812345678", email="", notes=""
    )
    merged = CustomerFactory(
        owner=manager, name="王伟 (old)", kind=Customer.Kind.INDIVIDUAL, phone="13987654321",
        email="wang.wei@private.example", address="浦东新区秘密路 8 号", notes="他说孩子下个月结婚",
    )  # fmt: skip
    merge = customer_merge(
        actor=manager, survivor=survivor, merged=merged, choices={"email": "merged", "address": "merged"}
    )
    before = json.dumps(CustomerMerge.objects.get(pk=merge.pk).snapshot, ensure_ascii=False)
    assert "wang.wei@private.example" in before and "他说孩子下个月结婚" in before  # what the undo would bring back

    from customers.services.privacy import customer_erase

    customer_erase(actor=manager, customer=survivor)

    merge.refresh_from_db()
    after = json.dumps(merge.snapshot, ensure_ascii=False) + merge.merged_name
    secrets = ["13812345678", "13987654321", "wang.wei@private.example", "浦东新区秘密路 8 号", "他说孩子下个月结婚"]
    secrets.append("王伟")
    for secret in secrets:
        assert secret not in after, secret
    assert merge.snapshot["merged"]["id"] == merged.pk  # the undo still knows what to bring back
