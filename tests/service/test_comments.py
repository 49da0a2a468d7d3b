"""Comments on the ticket page: internal or public (e-mailed to the customer), with checked attachments."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from service.models import TicketAttachment, TicketComment

from .factories import TicketFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ticket(queue, customer, agent):
    return TicketFactory(queue=queue, customer=customer, assignee=agent, status="in_progress")


def _post(client, ticket, **data):
    return client.post(reverse("service:ticket-comment", args=[ticket.pk]), data)


def test_a_public_comment_mails_the_customer_and_is_the_first_response(client_for, ticket, agent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _post(client_for(agent), ticket, body="A technician comes at 3 pm.", is_public="on")
    assert response.status_code == 302
    assert mail.outbox[-1].to == [ticket.customer.email]
    assert "A technician comes at 3 pm." in mail.outbox[-1].body and "/service/public/track/" in mail.outbox[-1].body
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None


def test_an_internal_comment_mails_nobody(client_for, ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client_for(agent), ticket, body="Check the warranty first.")
    assert mail.outbox == []
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    assert not TicketComment.objects.get().is_public


def test_attachments_are_saved_and_downloadable_in_scope_only(client_for, ticket, agent, outsider_agent):
    photo = SimpleUploadedFile("jam.png", PNG, content_type="image/png")
    log = SimpleUploadedFile("printer.log", "错误 E03\n".encode(), content_type="text/plain")
    _post(client_for(agent), ticket, body="Photo and log attached.", attachments=[photo, log])
    saved = {a.name: a for a in TicketAttachment.objects.all()}
    assert set(saved) == {"jam.png", "printer.log"} and saved["jam.png"].content_type == "image/png"
    download = client_for(agent).get(reverse("service:attachment-download", args=[saved["jam.png"].pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    other = client_for(outsider_agent).get(reverse("service:attachment-download", args=[saved["jam.png"].pk]))
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.exe", b"MZ\x90\x00" + b"\x00" * 60, "not an allowed file type"),
        ("photo.png", b"%PDF-1.7 pretending", "not an allowed file type"),  # the name lies about the content
        ("notes.txt", b"\xff\xfe\x00\x00binary", "not an allowed file type"),
    ],
)
def test_wrong_types_are_refused_and_nothing_is_saved(client_for, ticket, agent, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = _post(client_for(agent), ticket, body="See attached", attachments=[upload])
    assert response.status_code == 400
    assert message in response.content.decode() and name in response.content.decode()
    assert not TicketComment.objects.exists() and not TicketAttachment.objects.exists()


def test_files_over_the_size_limit_are_refused(client_for, ticket, agent, settings):
    settings.SERVICE_ATTACHMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2000)
    response = _post(client_for(agent), ticket, body="Big file", attachments=[upload])
    assert response.status_code == 400 and "big.pdf is 2.0" in response.content.decode()
    assert not TicketComment.objects.exists()


def test_an_empty_comment_is_refused(client_for, ticket, agent):
    response = _post(client_for(agent), ticket, body="   ")
    assert response.status_code == 400 and not TicketComment.objects.exists()


def test_the_ticket_page_runs_a_flat_number_of_queries(client_for, django_assert_max_num_queries, ticket, agent):
    def add_comment(i):
        comment = TicketComment.objects.create(ticket=ticket, author=agent, body=f"note {i}", is_public=bool(i % 2))
        TicketAttachment.objects.create(
            ticket=ticket, comment=comment, name=f"f{i}.txt", size=3, content_type="text/plain", file=f"x/f{i}.txt"
        )

    client = client_for(agent)
    url = reverse("service:ticket-detail", args=[ticket.pk])
    add_comment(0)
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        assert client.get(url).status_code == 200
    for i in range(1, 10):
        add_comment(i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-comment=") == 10
