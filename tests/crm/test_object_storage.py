"""Files in an S3-compatible object store (moto in server mode): no shared disk between web and workers.

The worker here is a separate ``celery worker`` process with a media folder of its own, standing in for a
worker on another machine: an import's upload and an export's result can only travel through the store.
"""

import io
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from openpyxl import load_workbook

from crm.importexport import flow
from crm.models import Job
from customers.models import Customer
from customers.services import transfer
from customers.services.transfer import CUSTOMER_IMPORT
from security.models import Backup
from security.services import backups
from tests.factories import CustomerFactory

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture
def bucket(object_store, settings, tmp_path):
    """This process keeps its files in a fresh bucket; its own media folder must stay empty."""
    name = object_store.new_bucket()
    settings.STORAGES = object_store.storages(name, settings.STORAGES)
    settings.FILE_DELIVERY = "redirect"
    settings.MEDIA_ROOT = tmp_path / "web-media"
    settings.BACKUP_DIR = tmp_path / "web-backups"
    return name


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def remote_worker(object_store, bucket, tmp_path):
    """A Celery worker in its own process, with its own (empty) media folder, taking imports and exports."""
    db = connection.settings_dict
    environment = {
        **os.environ,
        **object_store.environment(bucket),
        "DJANGO_SETTINGS_MODULE": "crm.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(tmp_path / "worker-media"),
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "crm", "worker", "--pool", "solo", "--queues", "imports,exports",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield tmp_path / "worker-media"
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def _wait_for(job: Job, log: Path, seconds: float = 90) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        time.sleep(0.2)
    pytest.fail(f"job {job.pk} still {job.status}; worker log:\n{log.read_text(errors='replace')[-3000:]}")


def _download(client, job) -> tuple[str, bytes]:
    """What the job's owner gets: a redirect to a short-lived signed link of the store, then the bytes."""
    response = client.get(reverse("job-download", args=[job.pk]))
    assert response.status_code == 302, response
    with urllib.request.urlopen(response["Location"], timeout=10) as answer:  # noqa: S310 - the test's own server
        return response["Location"], answer.read()


@TRANSACTIONAL
def test_an_import_and_an_export_by_a_worker_on_another_machine_travel_through_the_object_store(
    manager, client_for, object_store, bucket, remote_worker, tmp_path, settings
):
    # given: an upload made on the web side only
    csv = "客户名称,联系电话\nStore Import Co,021-61234567\nBroken Ltd,call me\n".encode()
    job = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=SimpleUploadedFile("store.csv", csv))
    assert job.source_file.name.startswith("jobs/in/") and not _files_under(settings.MEDIA_ROOT)
    mapping = {int(k): v for k, v in job.options["mapping"].items()}

    # when: the other machine imports it
    flow.import_start(
        CUSTOMER_IMPORT, actor=manager, upload=job, mapping=mapping, duplicate_policy="skip", import_valid_rows=True
    )
    job = _wait_for(job, tmp_path / "worker.log")

    # then: the rows are in, and the error report it wrote is downloaded from the store
    assert job.status == Job.Status.DONE, job.error
    assert Customer.objects.filter(name="Store Import Co").exists()
    client = client_for(manager)
    link, report = _download(client, job)
    assert link.startswith(f"{object_store.endpoint}/{bucket}/media/jobs/out/") and "X-Amz-Signature=" in link
    rows = list(load_workbook(io.BytesIO(report)).active.iter_rows(min_row=2, values_only=True))
    assert rows and rows[0][0] == 3

    # and an export made over there comes back the same way
    CustomerFactory(owner=manager, name="Exported Through The Store")
    export = transfer.customer_export_start(actor=manager, data=QueryDict(""), fields=["name"], fmt="csv")
    export = _wait_for(export, tmp_path / "worker.log")
    assert export.status == Job.Status.DONE, export.error
    _link, content = _download(client, export)
    assert "Exported Through The Store" in content.decode("utf-8-sig")
    assert any(key.startswith("media/jobs/out/") for key in object_store.keys(bucket))

    # No disk was shared: neither the web side nor the worker kept a file of its own.
    assert not _files_under(settings.MEDIA_ROOT) and not _files_under(remote_worker)


@TRANSACTIONAL
def test_an_encrypted_backup_is_kept_off_site_verified_and_restored_from_the_object_store(
    manager, object_store, bucket, settings, tmp_path
):
    CustomerFactory.create_batch(3)
    job = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=SimpleUploadedFile("kept.csv", b"name\nKept\n"))

    backup = backups.backup_create()

    assert backup.status == Backup.Status.DONE, backup.error
    assert backup.check_status == Backup.CheckStatus.PASSED, backup.check_detail
    assert backup.check_detail["source"] == f"s3://{bucket}/backups"
    stored = object_store.keys(bucket, f"backups/{backup.name}/")
    assert stored == [f"backups/{backup.name}/{n}" for n in ("database.dump.age", "manifest.json", "media.tar.gz.age")]
    body = object_store.client().get_object(Bucket=bucket, Key=stored[0])["Body"].read()
    assert body.startswith(b"age-encryption.org/v1")
    assert not _files_under(settings.BACKUP_DIR)

    target = f"{connection.settings_dict['NAME']}_fromstore"
    backups.database_drop(target)
    try:
        call_command(
            "restore", backup.name, database=target, create=True, interactive=False, media_to=str(tmp_path / "files")
        )
        assert backups.database_row_counts(target)["customers_customer"] == 3
        assert (tmp_path / "files" / "media" / job.source_file.name).read_bytes() == b"name\nKept\n"
    finally:
        backups.database_drop(target)

    # Retention holds there too: a pruned backup leaves the store.
    Backup.objects.filter(pk=backup.pk).update(
        status=Backup.Status.FAILED, started_at=backup.started_at.replace(year=2020)
    )
    assert backup.name in backups.backup_prune()
    assert object_store.keys(bucket, f"backups/{backup.name}/") == []
