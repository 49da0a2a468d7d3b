"""Tickets over the API (+ comment, transition, assign): scoped like the pages (an agent reaches the tickets
assigned to them, a manager their team's queues), permissions from the role, the page's validation with
translated messages, a stale ETag answers 412, and ticket events go out as webhooks only to owners who may
see the ticket."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import roles
from crm.api import webhooks
from crm.api.models import WebhookDelivery
from service.api.views import TicketViewSet
from service.models import Ticket, TicketComment
from service.services import tickets
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.service.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.fixture
def desk(db):
    """Two agents in two teams, each with a queue of their own and a ticket assigned to them."""
    east, west = TeamFactory(name="Desk East"), TeamFactory(name="Desk West")
    agnes = UserFactory(username="agnes", role=roles.SERVICE_AGENT, team=east)
    olga = UserFactory(username="olga", role=roles.SERVICE_AGENT, team=west)
    east_queue = QueueFactory(name="East support", team=east, agents=[agnes])
    west_queue = QueueFactory(name="West support", team=west, agents=[olga])
    customer = CustomerFactory(name="Northwind Trading", email="info@northwind.example")
    mine = TicketFactory(customer=customer, queue=east_queue, assignee=agnes, status=Ticket.Status.ASSIGNED)
    theirs = TicketFactory(customer=customer, queue=west_queue, assignee=olga, status=Ticket.Status.ASSIGNED,
                           subject="Secret west ticket")  # fmt: skip
    return {"agnes": agnes, "olga": olga, "queue": east_queue, "customer": customer, "mine": mine, "theirs": theirs}


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_an_agent_reaches_only_the_tickets_in_their_scope(api_for, desk):
    api, theirs = api_for(desk["agnes"]), desk["theirs"]
    assert ids(api.get(f"{V1}/tickets/")) == [desk["mine"].pk]
    # Filters and views search within the scope only.
    assert ids(api.get(f"{V1}/tickets/", {"q": "Secret west"})) == []
    assert ids(api.get(f"{V1}/tickets/", {"status": "assigned", "view": "all"})) == [desk["mine"].pk]
    assert api.get(f"{V1}/tickets/{theirs.pk}/").status_code == 404
    assert api.patch(f"{V1}/tickets/{theirs.pk}/", {"subject": "x"}, format="json").status_code == 404
    for name, body in (("transition", {"status": "in_progress"}), ("comment", {"body": "x"}), ("assign", {})):
        assert api.post(f"{V1}/tickets/{theirs.pk}/{name}/", body, format="json").status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.subject == "Secret west ticket" and theirs.status == Ticket.Status.ASSIGNED
    assert not TicketComment.objects.exists()


def test_an_agent_opens_edits_and_works_a_ticket(api_for, desk):
    api = api_for(desk["agnes"])
    created = api.post(
        f"{V1}/tickets/",
        {"customer": desk["customer"].pk, "queue": desk["queue"].pk, "assignee": desk["agnes"].pk,
         "subject": "Invoice missing", "description": "The March invoice never came.", "type": "inquiry",
         "channel": "email", "priority": "high"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "assigned" and body["number"] == f"#{body['id']}"
    pk, etag = body["id"], created["ETag"]
    changed = api.patch(f"{V1}/tickets/{pk}/", {"priority": "urgent"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["priority"] == "urgent"
    # The ETag read before the change is stale now.
    stale = api.post(f"{V1}/tickets/{pk}/transition/", {"status": "in_progress"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    moved = api.post(
        f"{V1}/tickets/{pk}/transition/", {"status": "in_progress"}, format="json", HTTP_IF_MATCH=changed["ETag"]
    )
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    comment = api.post(f"{V1}/tickets/{pk}/comment/", {"body": "Sent it again.", "is_public": True}, format="json")
    assert comment.status_code == 201, comment.content
    assert comment.json()["is_public"] and comment.json()["author"] == desk["agnes"].pk
    ticket = Ticket.objects.get(pk=pk)
    assert ticket.first_responded_at is not None and ticket.comments.count() == 1


def test_a_step_the_workflow_refuses_is_a_translated_400_naming_the_field(api_for, desk):
    api = api_for(desk["agnes"])
    pk = desk["mine"].pk
    tickets.ticket_transition(actor=desk["agnes"], ticket=desk["mine"], to_status=Ticket.Status.RESOLVED)
    response = api.post(
        f"{V1}/tickets/{pk}/transition/", {"status": "waiting"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    message = response.json()["status"][0]
    assert "已解决" in message and "等待客户" in message, message
    unknown = api.post(f"{V1}/tickets/{pk}/transition/", {"status": "lost"}, format="json")
    assert unknown.status_code == 400 and "status" in unknown.json()
    assert Ticket.objects.get(pk=pk).status == Ticket.Status.RESOLVED


def test_bad_input_names_the_fields(api_for, desk, far_rep):
    api = api_for(desk["agnes"])
    missing = api.post(f"{V1}/tickets/", {"customer": desk["customer"].pk, "queue": desk["queue"].pk}, format="json")
    assert missing.status_code == 400 and {"subject", "description"} <= set(missing.json())
    nobody = api.post(f"{V1}/tickets/", {"customer": 999999, "subject": "x", "description": "y"}, format="json")
    assert nobody.status_code == 400 and "customer" in nobody.json()
    outsider = api.post(
        f"{V1}/tickets/",
        {"customer": desk["customer"].pk, "queue": desk["queue"].pk, "assignee": far_rep.pk, "subject": "x",
         "description": "y"},
        format="json",
    )  # fmt: skip
    assert outsider.status_code == 400 and "assignee" in outsider.json()
    empty = api.post(f"{V1}/tickets/{desk['mine'].pk}/comment/", {"body": " "}, format="json")
    assert empty.status_code == 400 and "body" in empty.json()
    assert Ticket.objects.count() == 2


def test_what_each_role_may_do_with_tickets(api_for, desk, rep_user, executive):
    new = {"customer": desk["customer"].pk, "queue": desk["queue"].pk, "subject": "x", "description": "y"}
    rep = api_for(rep_user)
    assert rep.get(f"{V1}/tickets/").status_code == 403
    assert rep.post(f"{V1}/tickets/", new, format="json").status_code == 403
    boss = api_for(executive)
    assert set(ids(boss.get(f"{V1}/tickets/"))) == {desk["mine"].pk, desk["theirs"].pk}
    assert boss.post(f"{V1}/tickets/", new, format="json").status_code == 403
    pk = desk["mine"].pk
    assert boss.patch(f"{V1}/tickets/{pk}/", {"subject": "x"}, format="json").status_code == 403
    assert boss.post(f"{V1}/tickets/{pk}/transition/", {"status": "in_progress"}, format="json").status_code == 403
    # Tickets are not deleted on the pages, so the API has no route for it.
    admin = api_for(UserFactory(username="root", role=roles.ADMINISTRATOR))
    assert admin.delete(f"{V1}/tickets/{pk}/").status_code in (403, 405)
    assert not hasattr(TicketViewSet, "destroy") and Ticket.objects.filter(pk=pk).exists()
    reader = api_for(desk["agnes"], access="read")
    assert reader.post(f"{V1}/tickets/{pk}/comment/", {"body": "x"}, format="json").status_code == 403


def test_assigning_round_robin_and_to_someone_outside_the_queue(api_for, desk):
    arthur = UserFactory(username="arthur", role=roles.SERVICE_AGENT, team=desk["agnes"].team)
    desk["queue"].members.add(arthur)
    api = api_for(desk["agnes"])
    pk = desk["mine"].pk
    refused = api.post(f"{V1}/tickets/{pk}/assign/", {"assignee": desk["olga"].pk}, format="json")
    assert refused.status_code == 400 and "assignee" in refused.json()
    handed = api.post(f"{V1}/tickets/{pk}/assign/", {"assignee": arthur.pk}, format="json")
    assert handed.status_code == 200 and handed.json()["assignee"] == arthur.pk


def test_ticket_events_reach_only_owners_who_may_see_the_ticket(api_for, desk, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    events = ["ticket.created", "ticket.updated", "ticket.status_changed"]
    mine = webhooks.endpoint_create(actor=desk["agnes"], url="http://127.0.0.1:9/", events=events)
    theirs = webhooks.endpoint_create(actor=desk["olga"], url="http://127.0.0.1:9/", events=events)
    api = api_for(desk["agnes"])
    created = api.post(
        f"{V1}/tickets/",
        {"customer": desk["customer"].pk, "queue": desk["queue"].pk, "assignee": desk["agnes"].pk,
         "subject": "Router down", "description": "No light."},
        format="json",
    )  # fmt: skip
    pk = created.json()["id"]
    api.post(f"{V1}/tickets/{pk}/transition/", {"status": "in_progress"}, format="json")
    sent = WebhookDelivery.objects.filter(endpoint=mine)
    assert sorted(sent.values_list("event_type", flat=True)) == [
        "ticket.created", "ticket.status_changed", "ticket.updated",
    ]  # fmt: skip
    changed = sent.get(event_type="ticket.status_changed").payload["data"]
    assert changed["id"] == pk and changed["status"] == "in_progress"
    assert not WebhookDelivery.objects.filter(endpoint=theirs).exists()


def test_a_customer_reply_that_reopens_the_ticket_is_a_status_change(desk, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    endpoint = webhooks.endpoint_create(
        actor=desk["agnes"], url="http://127.0.0.1:9/", events=["ticket.status_changed"]
    )
    ticket = desk["mine"]
    tickets.ticket_transition(actor=desk["agnes"], ticket=ticket, to_status=Ticket.Status.WAITING)
    tickets.ticket_customer_reply(ticket=ticket, body="Still broken.")
    statuses = [row.payload["data"]["status"] for row in WebhookDelivery.objects.filter(endpoint=endpoint)]
    assert sorted(statuses) == ["in_progress", "waiting"]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_comments_with_files_are_listed_and_downloaded_over_the_api_in_scope_only(api_for, desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    api, mine, theirs = api_for(desk["agnes"]), desk["mine"], desk["theirs"]
    photo = SimpleUploadedFile("jam.png", PNG, content_type="image/png")
    log = SimpleUploadedFile("printer.log", "错误 E03\n".encode(), content_type="text/plain")
    posted = api.post(
        f"{V1}/tickets/{mine.pk}/comment/", {"body": "Photo and log.", "attachments": [photo, log]}, format="multipart"
    )
    assert posted.status_code == 201, posted.content
    assert {a["name"] for a in posted.json()["attachments"]} == {"jam.png", "printer.log"}
    api.post(f"{V1}/tickets/{mine.pk}/comment/", {"body": "Internal: check warranty."}, format="json")
    listed = api.get(f"{V1}/tickets/{mine.pk}/comments/")
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [row["body"] for row in rows] == ["Photo and log.", "Internal: check warranty."]
    jam = next(a for a in rows[0]["attachments"] if a["name"] == "jam.png")
    assert jam["content_type"] == "image/png" and jam["size"] == len(PNG)
    download = api.get(jam["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    # A lying file is refused like on the page, nothing is saved.
    fake = SimpleUploadedFile("photo.png", b"%PDF-1.7 pretending")
    refused = api.post(f"{V1}/tickets/{mine.pk}/comment/", {"body": "x", "attachments": [fake]}, format="multipart")
    assert refused.status_code == 400 and "attachments" in refused.json()
    assert TicketComment.objects.filter(ticket=mine).count() == 2
    # Another team's agent finds neither the comments nor the file, not even through their own ticket's URL.
    outsider = api_for(desk["olga"])
    assert outsider.get(f"{V1}/tickets/{mine.pk}/comments/").status_code == 404
    assert outsider.get(f"{V1}/tickets/{mine.pk}/attachments/{jam['id']}/").status_code == 404
    assert outsider.get(f"{V1}/tickets/{theirs.pk}/attachments/{jam['id']}/").status_code == 404


def test_the_comment_list_costs_the_same_queries_for_two_comments_or_twelve(api_for, desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    api, mine = api_for(desk["agnes"]), desk["mine"]

    def post(n):
        for i in range(n):
            photo = SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png")
            api.post(f"{V1}/tickets/{mine.pk}/comment/", {"body": f"c{i}", "attachments": [photo]}, format="multipart")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"{V1}/tickets/{mine.pk}/comments/").status_code == 200
        return len(captured)

    post(2)
    few = queries()
    post(10)
    assert len(api.get(f"{V1}/tickets/{mine.pk}/comments/").json()["results"]) == 12
    assert queries() == few
