"""The customer 360 timeline: every source merged newest first, paginated in SQL, flat in queries."""

from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import BehaviourLog
from customers import services, timeline
from customers.models import CareAction, Communication, Contact, Customer, FollowUpTask
from customers.timeline import TimelineSource, register_timeline_source
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BASE = timezone.now() - timedelta(days=30)
KEYS = count()


def _customer(owner):
    """A customer with no history of its own, so only the rows a test adds are on its timeline."""
    customer = CustomerFactory(owner=owner)
    Customer.history.filter(id=customer.pk).delete()
    return customer


def _communication(customer, at, subject="Call"):
    return Communication.objects.create(customer=customer, owner=customer.owner, occurred_at=at, subject=subject)


def _task(customer, at, title="Send the quote"):
    task = FollowUpTask.objects.create(customer=customer, assignee=customer.owner, title=title, due_at=at)
    FollowUpTask.objects.filter(pk=task.pk).update(created_at=at)
    return task


def _care(customer, at):
    action = CareAction.objects.create(
        customer=customer, channel="phone", due_on=at.date(), assignee=customer.owner, source_key=f"t:{next(KEYS)}"
    )
    CareAction.objects.filter(pk=action.pk).update(created_at=at)
    return action


def _entries(client, customer, **params):
    response = client.get(reverse("customers:customer-timeline", args=[customer.pk]), params)
    assert response.status_code == 200
    return response


def test_every_source_appears_newest_first(client_for, rep_user):
    # given a customer created through the service (a history record) and one record of each kind
    customer = services.customer_create(actor=rep_user, data={"name": "华东物流"})
    Customer.history.filter(id=customer.pk).update(history_date=BASE)
    contact = services.contact_create(actor=rep_user, customer=customer, data={"name": "张伟"})
    Contact.objects.filter(pk=contact.pk).update(created_at=BASE + timedelta(days=1))
    call = _communication(customer, BASE + timedelta(days=2), "首次拜访")
    task = _task(customer, BASE + timedelta(days=3))
    care = _care(customer, BASE + timedelta(days=4))
    export = BehaviourLog.objects.create(
        action=BehaviourLog.Action.EXPORT, object_type="customers.customer", object_id=str(customer.pk)
    )
    BehaviourLog.objects.filter(pk=export.pk).update(at=BASE + timedelta(days=5))

    # when
    page = _entries(client_for(rep_user), customer).context["page"]

    # then
    assert [(e.kind, e.item.pk) for e in page] == [
        ("log", export.pk),
        ("care", care.pk),
        ("task", task.pk),
        ("communication", call.pk),
        ("contact", contact.pk),
        ("change", Customer.history.get(id=customer.pk).pk),
    ]


def test_pages_split_the_merged_list_without_overlap(client_for, rep_user):
    customer = _customer(rep_user)
    calls = [_communication(customer, BASE + timedelta(hours=i), f"Call {i}") for i in range(20)]
    tasks = [_task(customer, BASE + timedelta(hours=i, minutes=30)) for i in range(10)]
    client = client_for(rep_user)

    first = _entries(client, customer).context["page"]
    second = _entries(client, customer, page=2).context["page"]

    assert first.paginator.count == 30
    assert len(first.object_list) == 25 and len(second.object_list) == 5
    seen = [(e.kind, e.item.pk) for e in list(first) + list(second)]
    assert len(set(seen)) == 30
    times = [e.at for e in list(first) + list(second)]
    assert times == sorted(times, reverse=True)
    assert seen[0] == ("communication", calls[-1].pk)
    assert ("task", tasks[-1].pk) in seen[:25]
    assert seen[-1] == ("communication", calls[0].pk)


def _count_queries(client, customer):
    with CaptureQueriesContext(connection) as queries:
        _entries(client, customer)
    return len(queries)


def test_query_count_is_flat_for_5_or_100_items(client_for, rep_user):
    customer = _customer(rep_user)
    client = client_for(rep_user)

    def contact(customer, at):
        person = Contact.objects.create(customer=customer, name=f"P{at}")
        Contact.objects.filter(pk=person.pk).update(created_at=at)

    def add(n):
        # the kinds interleave, so every page holds all four whatever the total: one load query each
        for i in range(n):
            [_communication, _task, _care, contact][i % 4](customer, timezone.now() - timedelta(minutes=i))

    add(5)
    few = _count_queries(client, customer)
    add(95)
    many = _count_queries(client, customer)

    assert few == many
    assert many <= 14


def test_a_customer_outside_scope_answers_404(client_for, rep_user, far_rep):
    customer = CustomerFactory(owner=far_rep)
    _communication(customer, BASE)
    response = client_for(rep_user).get(reverse("customers:customer-timeline", args=[customer.pk]))
    assert response.status_code == 404


def test_other_apps_can_register_a_source(client_for, rep_user):
    """A later app (sales orders, service tickets) adds its rows by registering a source."""
    customer = _customer(rep_user)
    task = _task(customer, BASE, "Contract renewal")
    FollowUpTask.objects.filter(pk=task.pk).update(due_at=BASE + timedelta(days=10))
    register_timeline_source(
        TimelineSource(
            kind="deadline",
            label="Deadline",
            icon="bi-alarm",
            rows=lambda customer, user: FollowUpTask.objects.visible_to(user).filter(customer=customer),
            at="due_at",
            title="title",
            load=lambda ids: FollowUpTask.objects.filter(pk__in=ids).select_related("assignee"),
            template="customers/partials/timeline_task.html",
        )
    )
    try:
        response = _entries(client_for(rep_user), customer)
    finally:
        timeline.TIMELINE_SOURCES.pop("deadline")

    assert [e.kind for e in response.context["page"]] == ["deadline", "task"]
    assert b"Deadline" in response.content


def test_detail_page_links_to_the_timeline(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    response = client_for(rep_user).get(reverse("customers:customer-detail", args=[customer.pk]))
    assert reverse("customers:customer-timeline", args=[customer.pk]).encode() in response.content
