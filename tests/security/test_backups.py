"""Backups on real PostgreSQL: dump, checksum, verified restore, rotation, the page."""

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification
from customers.models import Contact, Customer
from security.models import Backup
from security.services import backups
from tests.factories import ContactFactory, CustomerFactory

from .factories import administrator

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def backup_dir(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "jobs").mkdir(parents=True)
    (settings.MEDIA_ROOT / "jobs" / "upload.txt").write_text("uploaded file", encoding="utf-8")
    yield settings.BACKUP_DIR
    shutil.rmtree(tmp_path, ignore_errors=True)


@TRANSACTIONAL
def test_backup_drop_restore_round_trip_brings_every_row_back(tmp_path):
    for contact in ContactFactory.create_batch(5):
        ContactFactory(customer=contact.customer, name=f"second of {contact.customer.name}")
    before_counts = backups.database_row_counts()
    names = sorted(Customer.objects.values_list("name", flat=True))

    backup = backups.backup_create()
    assert backup.status == Backup.Status.DONE, backup.error
    assert backup.check_status == Backup.CheckStatus.PASSED, backup.check_detail
    assert backup.row_counts["customers_customer"] == 5 and backup.row_counts["customers_contact"] == 10
    folder = backups.backup_path(backup)
    manifest = json.loads((folder / backups.MANIFEST_NAME).read_text())
    assert manifest["sha256"][backups.DUMP_NAME] == backups.sha256_of(folder / backups.DUMP_NAME)

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE customers_customer CASCADE")
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0

    database = connection.settings_dict["NAME"]
    call_command("restore", str(folder), database=database, interactive=False, media_to=str(tmp_path / "restored"))

    assert sorted(Customer.objects.values_list("name", flat=True)) == names
    assert Contact.objects.count() == 10
    after_counts = backups.database_row_counts()
    # The backup's own row was written after the counts above; every other table is exactly as it was.
    assert backups.compare_row_counts(before_counts, after_counts) == {"security_backup": [0, 1]}
    assert (tmp_path / "restored" / "media" / "jobs" / "upload.txt").read_text() == "uploaded file"


@TRANSACTIONAL
def test_restore_into_a_new_database_and_refuse_an_existing_one(tmp_path):
    CustomerFactory.create_batch(3)
    backup = backups.backup_create(verify=False)
    target = f"{connection.settings_dict['NAME']}_restored"
    backups.database_drop(target)
    try:
        call_command("restore", str(backups.backup_path(backup)), database=target, create=True, interactive=False)
        assert backups.database_row_counts(target)["customers_customer"] == 3
        with pytest.raises(Exception, match="already exists"):
            call_command("restore", str(backups.backup_path(backup)), database=target, create=True, interactive=False)
    finally:
        backups.database_drop(target)


@TRANSACTIONAL
def test_restore_asks_for_confirmation(monkeypatch):
    backup = backups.backup_create(verify=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(Exception, match="Not confirmed"):
        call_command("restore", str(backups.backup_path(backup)), database=connection.settings_dict["NAME"])


@TRANSACTIONAL
def test_restore_check_fails_on_a_corrupted_archive_and_alerts_administrators_once():
    admin = administrator()
    CustomerFactory.create_batch(2)
    backup = backups.backup_create(verify=False)
    dump = backups.backup_path(backup) / backups.DUMP_NAME
    data = bytearray(dump.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\x00" * 64
    dump.write_bytes(bytes(data))

    backups.backup_verify(backup=backup)
    backup.refresh_from_db()
    assert backup.check_status == Backup.CheckStatus.FAILED
    assert "damaged" in backup.check_detail["error"]

    backups.backup_verify(backup=backup)
    assert Notification.objects.filter(user=admin, title="Backup restore check failed").count() == 1
    assert len([m for m in mail.outbox if m.subject == "Backup restore check failed"]) == 1


@TRANSACTIONAL
def test_restore_check_fails_when_the_archive_itself_does_not_restore():
    CustomerFactory.create_batch(2)
    backup = backups.backup_create(verify=False)
    folder = backups.backup_path(backup)
    dump = folder / backups.DUMP_NAME
    plain = folder / "plain.dump"
    backups.decrypt_file(dump, plain)
    plain.write_bytes(plain.read_bytes()[: plain.stat().st_size // 2])
    dump.unlink()
    backups.encrypt_file(plain, dump)
    # A truncated file whose checksum was (wrongly) recorded after the damage: only a real restore notices.
    manifest = json.loads((folder / backups.MANIFEST_NAME).read_text())
    manifest["sha256"][backups.DUMP_NAME] = backups.sha256_of(dump)
    (folder / backups.MANIFEST_NAME).write_text(json.dumps(manifest))

    backups.backup_verify(backup=backup)
    backup.refresh_from_db()
    assert backup.check_status == Backup.CheckStatus.FAILED
    assert "pg_restore" in backup.check_detail["error"]
    assert not backups.database_exists(backup.check_detail["scratch_database"])


@pytest.mark.django_db
def test_rotation_keeps_seven_daily_four_weekly_six_monthly(backup_dir):
    now = timezone.now()
    for days in range(400):
        backup = Backup.objects.create(name=f"b{days}", status=Backup.Status.DONE)
        Backup.objects.filter(pk=backup.pk).update(started_at=now - timedelta(days=days))
        Path(backup_dir, f"b{days}").mkdir(parents=True)
    failed = Backup.objects.create(name="broken", status=Backup.Status.FAILED)
    Backup.objects.filter(pk=failed.pk).update(started_at=now - timedelta(days=2))

    deleted = backups.backup_prune(now=now)

    kept = list(Backup.objects.order_by("-started_at"))
    ages = [(now - b.started_at).days for b in kept]
    assert ages[:7] == [0, 1, 2, 3, 4, 5, 6]
    assert len(kept) <= 7 + 4 + 6
    months = {(timezone.localtime(b.started_at).year, timezone.localtime(b.started_at).month) for b in kept}
    assert len(months) == 6 and max(ages) > 120
    assert "broken" in deleted
    assert sorted(p.name for p in Path(backup_dir).iterdir()) == sorted(b.name for b in kept)


@pytest.mark.django_db
def test_backups_page_is_for_administrators_only(client_for, rep_user, django_capture_on_commit_callbacks):
    assert client_for(rep_user).get(reverse("security:backup-list")).status_code == 403
    assert client_for(rep_user).post(reverse("security:backup-trigger")).status_code == 403

    client = client_for(administrator())
    Backup.objects.create(name="crm-old", status=Backup.Status.DONE, check_status=Backup.CheckStatus.PASSED)
    page = client.get(reverse("security:backup-list"))
    assert page.status_code == 200 and "crm-old" in page.content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("security:backup-trigger"))
    assert response.status_code == 302 and len(callbacks) == 1


@TRANSACTIONAL
def test_download_streams_the_archive_to_administrators(client_for, rep_user):
    backup = backups.backup_create(verify=False)
    assert (
        client_for(rep_user).get(reverse("security:backup-download", args=[backup.pk, "database"])).status_code == 403
    )
    client = client_for(administrator())
    response = client.get(reverse("security:backup-download", args=[backup.pk, "database"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    # The archive leaves encrypted; only the holder of BACKUP_ENCRYPTION_KEY can read it.
    assert body.startswith(b"age-encryption.org/v1") and b"PGDMP" not in body
    assert client.get(reverse("security:backup-download", args=[backup.pk, "secrets"])).status_code == 404


def test_settings_name_the_retention_of_the_design():
    assert (settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY, settings.BACKUP_KEEP_MONTHLY) == (7, 4, 6)
    assert settings.CELERY_BEAT_SCHEDULE["nightly-backup"]["task"] == "security.tasks.nightly_backup"


@pytest.mark.django_db
def test_backups_page_query_count_stays_flat(client_for, django_assert_max_num_queries):
    client = client_for(administrator())
    for number in range(3):
        Backup.objects.create(name=f"crm-a{number}", status=Backup.Status.DONE)
    with django_assert_max_num_queries(15) as few:
        assert client.get(reverse("security:backup-list")).status_code == 200
    for number in range(25):
        Backup.objects.create(name=f"crm-b{number}", status=Backup.Status.DONE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("security:backup-list"))


@pytest.mark.django_db
def test_a_backup_that_cannot_be_written_is_recorded_as_failed_and_alerted(settings, tmp_path):
    admin = administrator()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.BACKUP_DIR = blocker / "backups"
    backup = backups.backup_create()
    assert backup.status == Backup.Status.FAILED and backup.error
    assert Notification.objects.filter(user=admin, title="Backup failed").count() == 1
    with pytest.raises(Exception, match="failed"):
        call_command("backup")


@TRANSACTIONAL
def test_backup_is_encrypted_and_leaves_out_sessions_and_lockout_counters(client_for, rep_user, settings):
    """The archives are age-encrypted to BACKUP_ENCRYPTION_KEY; a restored copy holds the business rows but
    no live session (its cookie must not sign anyone in) and no sign-in lockout counters."""
    from axes.models import AccessAttempt
    from django.contrib.sessions.models import Session

    CustomerFactory.create_batch(2)
    client_for(rep_user).get(reverse("home"))
    AccessAttempt.objects.create(username="bob", ip_address="10.0.0.9", failures_since_start=3)
    assert Session.objects.count() == 1

    backup = backups.backup_create(verify=False)
    folder = backups.backup_path(backup)
    assert b"PGDMP" not in (folder / backups.DUMP_NAME).read_bytes()[:64]
    manifest = json.loads((folder / backups.MANIFEST_NAME).read_text())
    assert {"django_session", "axes_accessattempt"} <= set(manifest["excluded_table_data"])
    assert manifest["encryption"]["recipient"].startswith("age1")

    target = f"{connection.settings_dict['NAME']}_nosessions"
    backups.database_drop(target)
    try:
        call_command("restore", str(folder), database=target, create=True, interactive=False)
        counts = backups.database_row_counts(target)
        assert counts["customers_customer"] == 2
        assert counts["django_session"] == 0 and counts["axes_accessattempt"] == 0
    finally:
        backups.database_drop(target)

    # Someone holding the archive but another key learns nothing and restores nothing.
    settings.BACKUP_ENCRYPTION_KEY = backups.generate_key()[0]
    with pytest.raises(Exception, match="cannot be decrypted"):
        call_command("restore", str(folder), database=target, create=True, interactive=False)
    assert not backups.database_exists(target)


@TRANSACTIONAL
def test_a_failed_restore_into_a_new_database_leaves_no_database_behind():
    """pg_restore stops half-way through a damaged archive; the database made for it is dropped again."""
    CustomerFactory.create_batch(2)
    backup = backups.backup_create(verify=False)
    folder = backups.backup_path(backup)
    dump, plain = folder / backups.DUMP_NAME, folder / "plain.dump"
    backups.decrypt_file(dump, plain)
    plain.write_bytes(plain.read_bytes()[: plain.stat().st_size * 2 // 3])
    dump.unlink()
    backups.encrypt_file(plain, dump)
    plain.unlink()
    manifest = json.loads((folder / backups.MANIFEST_NAME).read_text())
    manifest["sha256"][backups.DUMP_NAME] = backups.sha256_of(dump)
    (folder / backups.MANIFEST_NAME).write_text(json.dumps(manifest))

    target = f"{connection.settings_dict['NAME']}_partial"
    backups.database_drop(target)
    with pytest.raises(Exception, match="pg_restore"):
        call_command("restore", str(folder), database=target, create=True, interactive=False)
    assert not backups.database_exists(target)
