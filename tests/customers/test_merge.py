"""Merging duplicate customers: every related row moves, history stays, and the merge can be undone."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import BehaviourLog
from customers.models import (
    CareAction,
    Communication,
    Contact,
    Customer,
    CustomerGroup,
    CustomerMerge,
    CustomerShare,
    FollowUpTask,
)
from customers.services.merge import MERGE_FIELDS, customer_merge, customer_merge_undo, customer_relations
from tests.factories import CommunicationFactory, ContactFactory, CustomerFactory, FollowUpTaskFactory, TagFactory

pytestmark = pytest.mark.django_db


def _care(customer, key):
    return CareAction.objects.create(
        customer=customer,
        channel="phone",
        due_on=datetime.date(2026, 12, 1),
        assignee=customer.owner,
        source_key=f"test:{key}",
    )


@pytest.fixture
def pair(rep_user, other_rep, far_rep):
    """Two records of one company, each with contacts, a communication, a task, a care action,
    tags, groups and shares; one tag, one group and one share on both."""
    both_tag, a_tag, b_tag = TagFactory(name="both"), TagFactory(name="only-a"), TagFactory(name="only-b")
    both_group = CustomerGroup.objects.create(name="Both")
    b_group = CustomerGroup.objects.create(name="Only B")
    survivor = CustomerFactory(
        name="上海华信科技有限公司", owner=rep_user, phone="", email="info@huaxin.example", notes="Met at the fair."
    )
    merged = CustomerFactory(
        name="上海华信科技",
        owner=other_rep,
        phone="+86 138-0013-8000",
        email="sales@huaxin.example",
        website="https://huaxin.example",
        notes="Prefers WeChat.",
        level="A",
        last_contacted_at=timezone.now() - datetime.timedelta(days=1),
    )
    survivor.tags.set([both_tag, a_tag])
    merged.tags.set([both_tag, b_tag])
    survivor.groups.set([both_group])
    merged.groups.set([both_group, b_group])
    CustomerShare.objects.create(customer=survivor, user=far_rep)
    CustomerShare.objects.create(customer=merged, user=far_rep)
    CustomerShare.objects.create(customer=merged, user=rep_user)
    ContactFactory(customer=survivor, name="张伟", is_primary=True)
    ContactFactory(customer=merged, name="王建华", is_primary=True, mobile="13912345678")
    ContactFactory(customer=merged, name="李娜")
    CommunicationFactory(customer=survivor)
    CommunicationFactory.create_batch(2, customer=merged)
    FollowUpTaskFactory(customer=merged)
    _care(survivor, "a")
    _care(merged, "b")
    return survivor, merged


def _rows_of(customer_pk):
    """Every row pointing at the customer, per related model, found the same generic way."""
    rows = {}
    for rel in customer_relations():
        pks = set(
            rel.related_model._base_manager.filter(**{rel.field.attname: customer_pk}).values_list("pk", flat=True)
        )
        if pks:
            rows[(rel.related_model._meta.label_lower, rel.field.name)] = pks
    return rows


def _choices(**overrides):
    choices = dict.fromkeys(MERGE_FIELDS, "survivor")
    choices.update(overrides)
    return choices


def test_merge_page_shows_both_sides_with_sensible_defaults(client_for, manager, pair):
    survivor, merged = pair
    response = client_for(manager).get(reverse("customers:customer-merge", args=[survivor.pk, merged.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    # the survivor's value, or the other's where the survivor has none
    assert form["name"].value() == "survivor"
    assert form["phone"].value() == "merged"
    assert form["website"].value() == "merged"
    assert form["email"].value() == "survivor"
    html = response.content.decode()
    assert "+86 138-0013-8000" in html and "Prefers WeChat." in html
    assert dict(response.context["merged_counts"])["contacts"] == 2


def test_merge_moves_every_related_row_and_keeps_history(client_for, manager, rep_user, far_rep, pair):
    survivor, merged = pair
    merged_pk = merged.pk
    before_survivor, before_merged = _rows_of(survivor.pk), _rows_of(merged_pk)
    merged_contacts = set(Contact.objects.filter(customer=merged).values_list("pk", flat=True))

    # when the manager merges, taking the other's phone and level and keeping both notes
    response = client_for(manager).post(
        reverse("customers:customer-merge", args=[survivor.pk, merged_pk]),
        _choices(phone="merged", level="merged", website="merged", notes="both"),
    )

    # then the survivor has the chosen values
    assert response.status_code == 302
    assert response.url == survivor.get_absolute_url()
    survivor.refresh_from_db()
    assert survivor.name == "上海华信科技有限公司"
    assert (survivor.phone, survivor.level, survivor.website) == ("+86 138-0013-8000", "A", "https://huaxin.example")
    assert survivor.email == "info@huaxin.example"
    assert survivor.notes == "Met at the fair.\n\nPrefers WeChat."
    assert survivor.last_contacted_at == merged.last_contacted_at
    assert "13800138000" in survivor.search_document and "王建华" in survivor.search_document
    # the merged customer is gone and nothing points at it any more
    assert not Customer.objects.filter(pk=merged_pk).exists()
    assert _rows_of(merged_pk) == {}
    # every related row moved: contacts, communications, tasks, care actions
    after = _rows_of(survivor.pk)
    for key in [("customers.contact", "customer"), ("customers.communication", "customer")]:
        assert after[key] == before_survivor[key] | before_merged[key]
    assert after[("customers.followuptask", "customer")] == before_merged[("customers.followuptask", "customer")]
    assert after[("customers.careaction", "customer")] == (
        before_survivor[("customers.careaction", "customer")] | before_merged[("customers.careaction", "customer")]
    )
    assert Contact.objects.filter(customer=survivor).count() == 3
    assert Communication.objects.filter(customer=survivor).count() == 3
    assert FollowUpTask.objects.filter(customer=survivor).count() == 1
    assert CareAction.objects.filter(customer=survivor).count() == 2
    # tags, groups and shares are the union
    assert set(survivor.tags.values_list("name", flat=True)) == {"both", "only-a", "only-b"}
    assert set(survivor.groups.values_list("name", flat=True)) == {"Both", "Only B"}
    assert set(survivor.shared_with.all()) == {far_rep, rep_user}
    # the survivor's primary contact stays the only primary
    assert list(Contact.objects.filter(customer=survivor, is_primary=True).values_list("name", flat=True)) == ["张伟"]
    # history: the survivor's change is by the manager; the merged customer's history is still there
    assert survivor.history.first().history_user == manager
    merged_history = Customer.history.filter(id=merged_pk)
    assert merged_history.filter(history_type="-", history_user=manager).exists()
    assert merged_history.filter(history_type="+").exists()
    # the merge record holds what undo needs
    merge = CustomerMerge.objects.get()
    assert (merge.survivor, merge.merged_id, merge.merged_by) == (survivor, merged_pk, manager)
    assert set(merge.snapshot["moved"]["customers.contact"]["customer"]) == merged_contacts
    assert merge.snapshot["merged"]["owner_id"] == merged.owner_id
    assert merge.snapshot["survivor_before"]["phone"] == ""
    # and the behaviour log says who merged what
    entry = BehaviourLog.objects.get(detail__merge__id=merge.pk)
    assert (entry.user, entry.action, entry.object_id) == (manager, BehaviourLog.Action.UPDATE, str(survivor.pk))
    assert entry.detail["merge"]["merged_id"] == merged_pk
    assert entry.detail["merge"]["moved"]["customers.contact"] == 2


def test_undo_restores_the_merged_customer_and_the_survivor(client_for, manager, rep_user, far_rep, pair):
    survivor, merged = pair
    merged_pk, merged_created = merged.pk, merged.created_at
    before_survivor, before_merged = _rows_of(survivor.pk), _rows_of(merged_pk)
    survivor_tags = set(survivor.tags.all())
    client = client_for(manager)
    client.post(
        reverse("customers:customer-merge", args=[survivor.pk, merged_pk]),
        _choices(name="merged", phone="merged", owner="merged", notes="both"),
    )
    merge = CustomerMerge.objects.get()

    # the list offers an Undo that asks for confirmation first
    listing = client.get(reverse("customers:merge-list"))
    assert reverse("customers:merge-undo", args=[merge.pk]) in listing.content.decode()
    confirm = client.get(reverse("customers:merge-undo", args=[merge.pk]))
    assert confirm.status_code == 200
    assert Customer.objects.filter(pk=merged_pk).count() == 0

    response = client.post(reverse("customers:merge-undo", args=[merge.pk]))

    assert response.status_code == 302
    restored = Customer.objects.get(pk=merged_pk)
    assert response.url == restored.get_absolute_url()
    assert (restored.name, restored.phone, restored.owner, restored.level) == (
        "上海华信科技",
        "+86 138-0013-8000",
        merged.owner,
        "A",
    )
    assert restored.created_at == merged_created
    assert _rows_of(merged_pk) == before_merged
    assert _rows_of(survivor.pk) == before_survivor
    assert set(restored.tags.values_list("name", flat=True)) == {"both", "only-b"}
    assert set(survivor.tags.all()) == survivor_tags
    assert set(restored.shared_with.all()) == {far_rep, rep_user}
    assert list(Contact.objects.filter(customer=restored, is_primary=True).values_list("name", flat=True)) == ["王建华"]
    survivor.refresh_from_db()
    assert (survivor.name, survivor.phone, survivor.owner, survivor.notes) == (
        "上海华信科技有限公司",
        "",
        rep_user,
        "Met at the fair.",
    )
    assert "王建华" not in survivor.search_document and "王建华" in restored.search_document
    merge.refresh_from_db()
    assert merge.undone_by == manager and merge.undone_at is not None
    assert restored.history.first().history_user == manager
    assert BehaviourLog.objects.filter(detail__merge_undo__id=merge.pk, user=manager).count() == 2


def test_undo_twice_is_refused_with_a_message(client_for, manager, pair):
    survivor, merged = pair
    merge = customer_merge(actor=manager, survivor=survivor, merged=merged, choices=_choices())
    customer_merge_undo(actor=manager, merge=merge)

    with pytest.raises(ValidationError, match="already undone"):
        customer_merge_undo(actor=manager, merge=merge)
    response = client_for(manager).post(reverse("customers:merge-undo", args=[merge.pk]), follow=True)
    assert "already undone" in response.content.decode()
    assert Customer.objects.filter(pk=merged.pk).count() == 1


def test_undo_keeps_survivor_values_changed_after_the_merge(manager, pair):
    survivor, merged = pair
    merge = customer_merge(
        actor=manager, survivor=survivor, merged=merged, choices=_choices(phone="merged", name="merged")
    )
    survivor.refresh_from_db()
    survivor.phone = "021-55556666"
    survivor.save()

    customer_merge_undo(actor=manager, merge=merge)

    survivor.refresh_from_db()
    assert survivor.phone == "021-55556666"  # changed by someone since: kept
    assert survivor.name == "上海华信科技有限公司"  # untouched since: restored


def test_chained_merges_undo_in_reverse_order(manager, rep_user, pair):
    survivor, merged = pair
    third = CustomerFactory(name="华信 Third", owner=rep_user)
    first = customer_merge(actor=manager, survivor=survivor, merged=merged, choices=_choices())
    second = customer_merge(actor=manager, survivor=third, merged=survivor, choices=_choices())

    with pytest.raises(ValidationError, match="undo that merge first"):
        customer_merge_undo(actor=manager, merge=first)

    customer_merge_undo(actor=manager, merge=second)
    customer_merge_undo(actor=manager, merge=CustomerMerge.objects.get(pk=first.pk))
    assert Customer.objects.filter(pk__in=[survivor.pk, merged.pk, third.pk]).count() == 3
    assert Contact.objects.filter(customer=merged).count() == 2
    assert Contact.objects.filter(customer=survivor).count() == 1


def test_merge_outside_scope_is_404_and_needs_the_permission(client_for, manager, rep_user, far_rep):
    mine = CustomerFactory(owner=rep_user)
    foreign = CustomerFactory(owner=far_rep)
    client = client_for(manager)
    assert client.get(reverse("customers:customer-merge", args=[mine.pk, foreign.pk])).status_code == 404
    assert client.post(reverse("customers:customer-merge", args=[foreign.pk, mine.pk]), _choices()).status_code == 404
    assert Customer.objects.filter(pk=foreign.pk).exists()
    other = CustomerFactory(owner=rep_user)
    rep_client = client_for(rep_user)
    assert rep_client.get(reverse("customers:customer-merge", args=[mine.pk, other.pk])).status_code == 403
    assert rep_client.get(reverse("customers:merge-list")).status_code == 403


def test_undo_of_a_merge_outside_scope_is_404(client_for, manager, far_rep):
    a, b = CustomerFactory(owner=far_rep), CustomerFactory(owner=far_rep)
    merge = customer_merge(actor=far_rep, survivor=a, merged=b, choices=_choices())
    client = client_for(manager)
    assert client.post(reverse("customers:merge-undo", args=[merge.pk])).status_code == 404
    assert merge.pk not in [m.pk for m in client.get(reverse("customers:merge-list")).context["page"]]


def test_merge_with_itself_is_refused(manager, rep_user):
    customer = CustomerFactory(owner=rep_user)
    with pytest.raises(ValidationError):
        customer_merge(actor=manager, survivor=customer, merged=customer, choices=_choices())


def test_merge_rejects_an_unknown_choice_and_saves_nothing(client_for, manager, pair):
    survivor, merged = pair
    response = client_for(manager).post(
        reverse("customers:customer-merge", args=[survivor.pk, merged.pk]), _choices(phone="mine-please")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert Customer.objects.filter(pk=merged.pk).exists()
    assert not CustomerMerge.objects.exists()


def test_merge_page_query_count_is_bounded(client_for, manager, rep_user):
    a, b = CustomerFactory(owner=rep_user), CustomerFactory(owner=rep_user)
    client = client_for(manager)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("customers:customer-merge", args=[a.pk, b.pk]))
        assert response.status_code == 200
        return len(queries)

    few = count()
    for customer in (a, b):
        ContactFactory.create_batch(5, customer=customer)
        CommunicationFactory.create_batch(5, customer=customer)
        FollowUpTaskFactory.create_batch(3, customer=customer)
        customer.tags.set([TagFactory(name=f"t{customer.pk}-{i}") for i in range(4)])
    assert count() == few
    assert few <= 15
