"""The public ticket form, the signed tracking page and the satisfaction survey — no sign-in."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from customers.models import Customer
from customers.services.customers import customer_refresh_search
from service.links import SURVEY, TRACKING, survey_token, tracking_token
from service.models import SatisfactionSurvey, Ticket, TicketComment
from service.selectors import ticket_by_token
from tests.factories import ContactFactory

from .factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Wang Fang",
    "company": "",
    "email": "",
    "phone": "",
    "type": "fault",
    "subject": "Scanner offline",
    "description": "The scanner in hall 2 is offline since this morning.",
    "captcha_0": "any",
    "captcha_1": "PASSED",
    "privacy_consent": "on",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _submit(client, **fields):
    return client.post(reverse("service:public-ticket-submit"), {**FORM, **fields})


def test_a_ticket_from_a_known_e_mail_joins_that_customer(client, queue, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, email="INFO@Northwind.example")
    ticket = Ticket.objects.get()
    assert ticket.customer == customer and ticket.channel == "web" and ticket.queue == queue
    assert ticket.assignee is not None  # round-robin
    assert response.status_code == 302
    assert response["Location"] == reverse("service:public-ticket-track", args=[tracking_token(ticket)])
    assert mail.outbox[-1].to == ["INFO@Northwind.example"] and tracking_token(ticket) in mail.outbox[-1].body
    assert Customer.objects.count() == 1


def test_a_ticket_from_a_known_phone_written_differently_joins_that_customer_and_contact(client, queue, customer):
    contact = ContactFactory(customer=customer, name="Li Lei", mobile="13912345678")
    customer_refresh_search(customer=customer)
    _submit(client, phone="+86 139-1234-5678")
    ticket = Ticket.objects.get()
    assert ticket.customer == customer and ticket.contact == contact


def test_an_unknown_submitter_becomes_a_prospect_owned_by_the_queue_manager(client, queue, customer, queue_manager):
    _submit(client, email="new@blue-sea.example", company="Blue Sea Logistics")
    ticket = Ticket.objects.get()
    prospect = ticket.customer
    assert prospect != customer
    assert prospect.name == "Blue Sea Logistics" and prospect.lifecycle_stage == "prospect"
    assert prospect.owner == queue_manager and prospect.email == "new@blue-sea.example"


def test_the_form_needs_a_way_to_answer_and_a_right_captcha(client, queue):
    response = _submit(client)
    assert "Give an e-mail address or a phone number" in response.content.decode()
    response = _submit(client, email="x@example.com", captcha_1="WRONG")
    assert response.status_code == 200 and not Ticket.objects.exists()


def test_posts_past_the_rate_limit_are_refused(client, queue, settings):
    settings.PUBLIC_FORM_RATE = "3/h"
    codes = [_submit(client, email=f"p{i}@example.com").status_code for i in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Ticket.objects.count() == 3


@pytest.mark.parametrize("team_has_manager", [True, False], ids=["team-manager", "first-agent"])
def test_a_web_queue_without_a_manager_takes_the_ticket_of_a_stranger(
    client, agent, agent2, queue_manager, service_team, team_has_manager
):
    """A queue set up in admin with agents but no manager used to refuse every stranger's ticket (the
    form came back unsent): the prospect now goes to the team's manager, else to the first agent."""
    QueueFactory(name="Web", team=service_team, agents=[agent2, agent], accepts_web=True)
    if team_has_manager:
        service_team.manager = queue_manager
        service_team.save(update_fields=["manager"])
    response = _submit(client, email="stranger@example.cn")
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.customer.owner == (queue_manager if team_has_manager else agent)


def test_without_a_web_queue_the_form_says_so(client, customer):
    response = _submit(client, email="info@northwind.example")
    assert "does not accept tickets online" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_tracking_page_shows_status_and_public_comments_only(client, queue, customer, agent):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, status="in_progress")
    TicketComment.objects.create(ticket=ticket, author=agent, body="We are on our way.", is_public=True)
    TicketComment.objects.create(ticket=ticket, author=agent, body="Customer is grumpy.", is_public=False)
    page = client.get(reverse("service:public-ticket-track", args=[tracking_token(ticket)])).content.decode()
    assert "We are on our way." in page and "In progress" in page
    assert "grumpy" not in page


def test_a_tampered_or_foreign_token_is_refused(client, queue, customer):
    ticket = TicketFactory(queue=queue, customer=customer)
    other = TicketFactory(queue=queue, customer=customer)
    token = tracking_token(ticket)
    forged = token.replace(token.split(":")[0], tracking_token(other).split(":")[0], 1)
    for bad in [forged, token[:-2] + "xx", str(ticket.pk), survey_token(ticket)]:
        assert client.get(reverse("service:public-ticket-track", args=[bad])).status_code == 404
    assert client.get(reverse("service:public-survey", args=[token])).status_code == 404
    assert ticket_by_token(token, purpose=TRACKING) == ticket


def test_an_expired_link_is_refused(client, queue, customer, settings):
    ticket = TicketFactory(queue=queue, customer=customer)
    settings.PUBLIC_LINK_MAX_AGE_DAYS = -1
    assert client.get(reverse("service:public-ticket-track", args=[tracking_token(ticket)])).status_code == 404


def test_a_reply_while_waiting_puts_the_ticket_back_to_work(client, queue, customer, agent):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, status="waiting", requester_name="Wang Fang")
    url = reverse("service:public-ticket-track", args=[tracking_token(ticket)])
    response = client.post(url, {"body": "Still broken after the restart."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    comment = ticket.comments.get()
    assert comment.is_public and comment.author is None and comment.customer_name == "Wang Fang"
    assert mail.outbox[-1].to == [agent.email]


def test_a_closed_ticket_takes_no_reply(client, queue, customer, agent):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, status="closed")
    url = reverse("service:public-ticket-track", args=[tracking_token(ticket)])
    client.post(url, {"body": "Hello?"})
    assert not ticket.comments.exists()


# ---------------------------------------------------------------------------- satisfaction survey


def _survey_url(ticket):
    return reverse("service:public-survey", args=[survey_token(ticket)])


def test_one_answer_per_ticket(client, queue, customer, agent):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, status="resolved")
    first = client.post(_survey_url(ticket), {"score": "5", "nps": "9", "comment": "Quick and kind."})
    assert "Thank you for your answer" in first.content.decode()
    second = client.post(_survey_url(ticket), {"score": "1", "comment": "changed my mind"})
    assert "already been answered" in second.content.decode()
    survey = SatisfactionSurvey.objects.get()
    assert (survey.score, survey.nps, survey.customer) == (5, 9, customer)
    ticket.refresh_from_db()
    assert not ticket.needs_follow_up


def test_a_low_score_flags_the_ticket_and_tells_the_manager(client, queue, customer, agent, queue_manager):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, status="resolved")
    client.post(_survey_url(ticket), {"score": "2", "comment": "Took a week."})
    ticket.refresh_from_db()
    assert ticket.needs_follow_up
    assert {m.to[0] for m in mail.outbox} == {agent.email, queue_manager.email}


def test_scores_out_of_range_are_refused(client, queue, customer):
    ticket = TicketFactory(queue=queue, customer=customer, status="resolved")
    response = client.post(_survey_url(ticket), {"score": "6", "nps": "11"})
    assert response.status_code == 200 and not SatisfactionSurvey.objects.exists()


def test_an_unresolved_ticket_cannot_be_rated(client, queue, customer):
    ticket = TicketFactory(queue=queue, customer=customer, status="in_progress")
    response = client.post(_survey_url(ticket), {"score": "4"})
    assert "not resolved yet" in response.content.decode()
    assert not SatisfactionSurvey.objects.exists()


def test_the_manager_records_the_follow_up(client_for, queue, customer, agent, queue_manager):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, status="resolved", needs_follow_up=True)
    SatisfactionSurvey.objects.create(ticket=ticket, customer=customer, score=1)
    client_for(queue_manager).post(reverse("service:ticket-follow-up", args=[ticket.pk]), {"note": "Called, sorted."})
    ticket.refresh_from_db()
    assert not ticket.needs_follow_up
    assert SatisfactionSurvey.objects.get().followed_up_by == queue_manager


def test_a_survey_link_cannot_open_another_ticket(client, queue, customer):
    ticket = TicketFactory(queue=queue, customer=customer, status="resolved")
    assert ticket_by_token(survey_token(ticket), purpose=SURVEY) == ticket
    assert client.get(_survey_url(ticket).replace(survey_token(ticket), survey_token(ticket) + "0")).status_code == 404


def test_the_captcha_picture_loads_for_visitors_who_are_not_signed_in(client, queue):
    page = client.get(reverse("service:public-ticket-submit")).content.decode()
    image = re.search(r'src="(/captcha/image/\w+/)"', page).group(1)
    response = client.get(image)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
