"""Agents see the tickets assigned to them and those of their queues; nothing else, and a 404 past that."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from service.models import SatisfactionSurvey, Ticket
from service.selectors import ticket_view_counts, ticket_view_queryset
from tests.factories import TeamFactory, UserFactory

from .factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_queue(outsider_agent):
    return QueueFactory(name="Billing", agents=[outsider_agent])


def test_an_agent_sees_their_own_and_their_queues_tickets(queue, other_queue, customer, agent, agent2, outsider_agent):
    in_my_queue = TicketFactory(queue=queue, customer=customer, assignee=agent2)
    mine_elsewhere = TicketFactory(queue=other_queue, customer=customer, assignee=agent)
    foreign = TicketFactory(queue=other_queue, customer=customer, assignee=outsider_agent)
    visible = set(Ticket.objects.visible_to(agent))
    assert visible == {in_my_queue, mine_elsewhere}
    assert foreign not in visible
    assert set(Ticket.objects.visible_to(outsider_agent)) == {mine_elsewhere, foreign}


def test_leaving_a_queue_takes_its_tickets_out_of_sight(queue, customer, agent, agent2):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent2)
    assert Ticket.objects.visible_to(agent).filter(pk=ticket.pk).exists()
    queue.members.remove(agent)
    assert not Ticket.objects.visible_to(agent).filter(pk=ticket.pk).exists()


def test_the_queue_manager_sees_the_queue(queue, other_queue, customer, queue_manager, outsider_agent):
    ours = TicketFactory(queue=queue, customer=customer)
    theirs = TicketFactory(queue=other_queue, customer=customer, assignee=outsider_agent)
    assert set(Ticket.objects.visible_to(queue_manager)) == {ours}
    assert theirs not in Ticket.objects.visible_to(queue_manager)


def test_a_team_scope_sees_the_tickets_of_the_team_s_queues(customer, outsider_agent):
    team = TeamFactory(name="Second line")
    lead = UserFactory(username="lena", role=roles.SALES_MANAGER, team=team)
    queue = QueueFactory(name="Second line", team=team)
    ticket = TicketFactory(queue=queue, customer=customer, assignee=outsider_agent)
    assert list(Ticket.objects.visible_to(lead)) == [ticket]


def test_surveys_follow_their_ticket(queue, other_queue, customer, agent, outsider_agent):
    foreign = TicketFactory(queue=other_queue, customer=customer, assignee=outsider_agent, status="resolved")
    SatisfactionSurvey.objects.create(ticket=foreign, customer=customer, score=5)
    assert not SatisfactionSurvey.objects.visible_to(agent).exists()
    assert SatisfactionSurvey.objects.visible_to(outsider_agent).count() == 1


def test_out_of_scope_pages_answer_404(client_for, other_queue, customer, agent, outsider_agent):
    ticket = TicketFactory(queue=other_queue, customer=customer, assignee=outsider_agent)
    client = client_for(agent)
    for name in ["ticket-detail", "ticket-update"]:
        assert client.get(reverse(f"service:{name}", args=[ticket.pk])).status_code == 404
    for name, data in [("ticket-transition", {"status": "in_progress"}), ("ticket-comment", {"body": "hi"}),
                       ("ticket-assign", {"assignee": agent.pk})]:  # fmt: skip
        assert client.post(reverse(f"service:{name}", args=[ticket.pk]), data).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new" and not ticket.comments.exists()


def test_a_sales_rep_has_no_ticket_pages(client_for, rep_user, queue, customer):
    ticket = TicketFactory(queue=queue, customer=customer)
    client = client_for(rep_user)
    assert client.get(reverse("service:ticket-list")).status_code == 403
    assert client.get(reverse("service:ticket-detail", args=[ticket.pk])).status_code == 403


def test_the_views_pick_the_right_tickets(queue, customer, agent, agent2):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    mine = TicketFactory(queue=queue, customer=customer, assignee=agent, status="in_progress")
    colleague = TicketFactory(queue=queue, customer=customer, assignee=agent2, status="assigned")
    soon = TicketFactory(
        queue=queue,
        customer=customer,
        assignee=agent2,
        status="in_progress",
        resolution_due_at=now + timedelta(hours=1),
    )
    late = TicketFactory(
        queue=queue, customer=customer, assignee=agent2, status="in_progress", response_due_at=now - timedelta(hours=1)
    )
    paused = TicketFactory(
        queue=queue, customer=customer, assignee=agent2, status="waiting", resolution_due_at=now - timedelta(hours=1),
        sla_paused_at=now - timedelta(hours=2), first_responded_at=now - timedelta(hours=3),
    )  # fmt: skip
    closed = TicketFactory(queue=queue, customer=customer, assignee=agent, status="closed")

    def pick(view):
        return set(ticket_view_queryset(user=agent, view=view, now=now))

    assert pick("mine") == {mine}
    assert pick("queues") == {mine, colleague, soon, late, paused}
    assert pick("soon") == {soon}
    assert pick("overdue") == {late}
    assert closed in pick("all")
    counts = ticket_view_counts(user=agent)
    assert (counts["mine"], counts["queues"], counts["soon"], counts["overdue"]) == (1, 5, 1, 1)


@pytest.mark.parametrize("view", ["mine", "queues", "all"])
def test_the_list_runs_a_flat_number_of_queries(
    client_for, django_assert_max_num_queries, queue, customer, agent, view
):
    client = client_for(agent)
    TicketFactory.create_batch(2, queue=queue, customer=customer, assignee=agent, status="in_progress")
    url = reverse("service:ticket-list") + f"?view={view}"
    client.get(url)  # warm the session and permission caches
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    TicketFactory.create_batch(20, queue=queue, customer=customer, assignee=agent, status="in_progress")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('href="/service/') >= 22


def test_the_list_rows_show_priority_status_and_due_as_the_ticket_page_does(client_for, queue, customer, agent):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    TicketFactory(queue=queue, customer=customer, assignee=agent, status="waiting", priority="urgent",
                  resolution_due_at=now - timedelta(hours=1))  # fmt: skip
    TicketFactory(queue=queue, customer=customer, assignee=agent, status="new", priority="low",
                  resolution_due_at=now + timedelta(hours=1), sla_paused_at=now)  # fmt: skip
    html = client_for(agent).get(reverse("service:ticket-list") + "?view=all", headers={"Accept-Language": "en"})
    html = html.content.decode()
    assert '<span class="badge text-bg-danger">Urgent</span>' in html
    assert '<span class="badge text-bg-light">Low</span>' in html
    assert '<span class="badge text-bg-secondary" data-status="waiting">' in html
    assert '<span class="badge text-bg-info" data-status="new">' in html
    assert 'class="text-danger fw-semibold"' in html  # the overdue one
    assert "bi-pause-circle" in html  # the paused one


def test_a_view_past_the_cap_is_not_counted_again_while_a_smaller_one_is(settings, queue, customer, agent):
    # At 1,000,000 tickets the views past the cap read 10,001 rows each on every page of the list.
    settings.LIST_COUNT_LIMIT = 2
    settings.LIST_COUNT_CACHE_SECONDS = 60
    now = timezone.now()
    TicketFactory.create_batch(
        3,
        queue=queue,
        customer=customer,
        assignee=agent,
        status="in_progress",
        response_due_at=now - timedelta(hours=1),
    )
    assert ticket_view_counts(user=agent)["overdue"] == 3  # past the cap of 2: shown as more than 2
    TicketFactory(queue=queue, customer=customer, status="new", needs_follow_up=True)
    with CaptureQueriesContext(connection) as queries:
        counts = ticket_view_counts(user=agent)
    assert counts["overdue"] == 3 and counts["follow_up"] == 1  # the small view is read afresh
    (union,) = [q["sql"] for q in queries.captured_queries if "counted_view" in q["sql"]]
    assert "'overdue'" not in union and "'mine'" not in union and "'follow_up'" in union
