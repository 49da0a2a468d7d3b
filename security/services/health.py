"""What /healthz reports: database, Redis, the Celery worker's heartbeat and the age of the last backup."""

import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from ..models import Backup

HEARTBEAT_KEY = "health:worker-heartbeat"


def worker_heartbeat_record() -> float:
    """Run by the worker every minute (Celery beat): proves a worker takes tasks off the queue."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _check_redis() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


def _check_worker() -> dict:
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None:
        return {"ok": False, "error": "no heartbeat"}
    age = round(time.time() - float(beat))
    return {"ok": age <= settings.HEALTH_WORKER_MAX_AGE_SECONDS, "age_seconds": age}


def _check_backup() -> dict:
    last = Backup.objects.filter(status=Backup.Status.DONE).order_by("-started_at").first()
    if last is None:
        return {"ok": False, "error": "no backup yet"}
    age = (timezone.now() - last.finished_at).total_seconds()
    return {
        "ok": age <= settings.HEALTH_BACKUP_MAX_AGE_HOURS * 3600 and last.check_status != Backup.CheckStatus.FAILED,
        "age_hours": round(age / 3600, 1),
        "name": last.name,
        "restore_check": last.check_status,
    }


CHECKS = {"database": _check_database, "redis": _check_redis, "worker": _check_worker, "backup": _check_backup}


def health_report(only=None) -> dict:
    """Every check's result (or those named in ``only``); ``healthy`` only when all pass. A check that raises
    counts as failed."""
    results = {}
    for name, check in CHECKS.items():
        if only and name not in only:
            continue
        started = time.perf_counter()
        try:
            result = check()
        except Exception as error:  # noqa: BLE001 - any failure of a dependency is what we report
            result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return {"healthy": all(r["ok"] for r in results.values()), "checks": results}
