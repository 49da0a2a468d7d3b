"""Contracts: numbering from the pattern, file checks, expiry reminders sent once, the expiring list."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification
from sales.models import Contract, ContractFile
from sales.services import contracts as services
from sales.services.common import StaleEdit
from tests.factories import CustomerFactory

from .factories import ContractFactory

pytestmark = pytest.mark.django_db


def _create(actor, **data):
    values = {"title": "年度维保", "customer": CustomerFactory(owner=actor), "start_date": date(2026, 1, 1),
              "end_date": date(2026, 12, 31), "amount": 1000}  # fmt: skip
    values.update(data)
    return services.contract_create(actor=actor, data=values)


def test_numbers_follow_the_pattern_and_never_repeat(rep_user, settings):
    settings.CONTRACT_NUMBER_PATTERN = "HT{year}{month}-{seq:04d}"
    first, second = _create(rep_user), _create(rep_user)
    today = timezone.localdate()
    assert first.number == f"HT{today.year}{today.month:02d}-0001"
    assert second.number == f"HT{today.year}{today.month:02d}-0002"


def test_end_before_start_is_refused_on_the_form(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    response = client_for(rep_user).post(
        reverse("sales:contract-create"),
        {"title": "X", "customer": customer.pk, "start_date": "2026-05-01", "end_date": "2026-04-01",
         "amount": "1", "currency": "CNY"},
    )  # fmt: skip
    assert response.status_code == 200 and "end_date" in response.context["form"].errors
    assert not Contract.objects.exists()


def test_stale_contract_edit_is_refused(rep_user):
    contract = _create(rep_user)
    services.contract_update(actor=rep_user, contract=contract, data={"title": "A"}, version=1)
    with pytest.raises(StaleEdit):
        services.contract_update(actor=rep_user, contract=contract, data={"title": "B"}, version=1)


def test_pdf_upload_is_kept_and_a_disguised_file_refused(client_for, rep_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    contract = _create(rep_user)
    client = client_for(rep_user)
    url = reverse("sales:contract-file-add", args=[contract.pk])
    client.post(url, {"file": SimpleUploadedFile("signed.pdf", b"%PDF-1.7 signed", "application/pdf")})
    fake = client.post(url, {"file": SimpleUploadedFile("evil.pdf", b"MZ\x90\x00", "application/pdf")}, follow=True)
    exe = client.post(url, {"file": SimpleUploadedFile("tool.exe", b"MZ", "application/octet-stream")}, follow=True)
    assert list(ContractFile.objects.values_list("name", flat=True)) == ["signed.pdf"]
    assert "PDF" in fake.content.decode()
    assert "exe" in exe.content.decode()
    download = client.get(reverse("sales:contract-file", args=[contract.pk, ContractFile.objects.get().pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.7 signed"


def test_too_large_upload_is_refused(rep_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CONTRACT_FILE_MAX_BYTES = 10
    contract = _create(rep_user)
    with pytest.raises(Exception) as caught:
        services.contract_file_add(
            actor=rep_user, contract=contract, upload=SimpleUploadedFile("big.pdf", b"%PDF" + b"x" * 20)
        )
    assert "limit" in str(caught.value) or "上限" in str(caught.value)
    assert not ContractFile.objects.exists()


def test_reminders_go_out_at_30_and_7_days_each_once(rep_user):
    today = date(2026, 6, 1)
    contract = ContractFactory(
        owner=rep_user, customer=CustomerFactory(owner=rep_user), end_date=today + timedelta(days=30)
    )
    far = ContractFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user), end_date=today + timedelta(days=31))
    sent = [
        services.contract_reminders_send(today=today + timedelta(days=d))["sent"] for d in (0, 0, 10, 11, 23, 24, 25)
    ]
    # day 0: 30 days left on the first; day 10: the second enters its 30-day window;
    # day 23 and 24: each reaches 7 days; repeated ticks and days in between send nothing
    assert sent == [1, 0, 1, 0, 1, 1, 0]
    notes = Notification.objects.filter(user=rep_user)
    assert notes.count() == 4
    assert all(contract.number in n.title or far.number in n.title for n in notes)
    assert len(mail.outbox) == 4


def test_ended_contracts_expire(rep_user):
    contract = ContractFactory(
        owner=rep_user, customer=CustomerFactory(owner=rep_user), start_date=date(2025, 1, 1), end_date=date(2026, 1, 1)
    )
    services.contract_reminders_send(today=date(2026, 1, 2))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.EXPIRED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reminder_task_on_a_real_worker_sends_once(rep_user):
    from celery.contrib.testing.worker import start_worker

    from crm.celery import app
    from sales import tasks

    ContractFactory(
        owner=rep_user, customer=CustomerFactory(owner=rep_user), end_date=timezone.localdate() + timedelta(days=7)
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = tasks.send_contract_reminders.delay().get(timeout=30)
        second = tasks.send_contract_reminders.delay().get(timeout=30)
    assert first["sent"] == 1 and second["sent"] == 0
    assert Notification.objects.filter(user=rep_user).count() == 1


def test_expiring_list_shows_active_contracts_ending_soon(client_for, rep_user):
    soon = ContractFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user),
                           end_date=timezone.localdate() + timedelta(days=5))  # fmt: skip
    ContractFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user),
                    end_date=timezone.localdate() + timedelta(days=90))  # fmt: skip
    ContractFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user), status=Contract.Status.DRAFT,
                    end_date=timezone.localdate() + timedelta(days=5))  # fmt: skip
    response = client_for(rep_user).get(reverse("sales:contract-expiring"))
    assert list(response.context["page"]) == [soon]


def test_renewal_drafts_the_next_period(client_for, rep_user):
    contract = _create(rep_user, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), amount=1200)
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.ACTIVE)
    response = client_for(rep_user).post(reverse("sales:contract-renew", args=[contract.pk]))
    renewal = Contract.objects.exclude(pk=contract.pk).get()
    assert response.status_code == 302 and response.url == renewal.get_absolute_url()
    assert renewal.status == Contract.Status.DRAFT and renewal.number != contract.number
    assert (renewal.start_date, renewal.end_date) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewal.customer == contract.customer and renewal.amount == contract.amount
    assert contract.number in renewal.notes


def test_contract_out_of_scope_cannot_be_renewed(client_for, rep_user, far_rep):
    contract = _create(far_rep)
    assert client_for(rep_user).post(reverse("sales:contract-renew", args=[contract.pk])).status_code == 404


def test_a_refused_contract_file_is_named_in_the_message(rep_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    contract = _create(rep_user)
    with pytest.raises(ValidationError) as caught:
        services.contract_file_add(actor=rep_user, contract=contract, upload=SimpleUploadedFile("scan.jpg", b"%PDF-1"))
    assert "scan.jpg" in " ".join(caught.value.message_dict["file"])
    assert not ContractFile.objects.exists()
