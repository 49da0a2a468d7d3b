"""The ``/metrics`` page for Prometheus (性能监控): this process's request figures plus what all share.

Request latency, queries per request and slow statements are counted by each web process
(``crm/metrics.py``). Queue lengths, jobs, backups and the worker's heartbeat live in Redis and
PostgreSQL, which every web server sees alike, so they are read when Prometheus asks: any web server
answers the same, however many there are.
"""

import hmac
import ipaddress
import os
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from crm.models import Job

from ..models import Backup
from .health import HEARTBEAT_KEY

# kombu's Redis transport keeps a queue's messages of priority steps 3, 6 and 9 in lists of their own.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def allowed(request) -> bool:
    """A bearer token equal to METRICS_TOKEN, or a direct peer inside METRICS_ALLOWED_NETWORKS."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        # REMOTE_ADDR, not a forwarded header: whoever reaches the server directly is who is asking.
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)


def enabled() -> bool:
    return bool(settings.METRICS_TOKEN or settings.METRICS_ALLOWED_NETWORKS)


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each Celery queue (Redis lists, under the broker's key prefix)."""
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        pipe = client.pipeline()
        for queue in settings.CELERY_QUEUE_NAMES:
            for suffix in _PRIORITY_SUFFIXES:
                pipe.llen(f"{prefix}{queue}{suffix}")
        counts = pipe.execute()
    finally:
        client.close()
    steps = len(_PRIORITY_SUFFIXES)
    return {queue: sum(counts[i * steps : (i + 1) * steps]) for i, queue in enumerate(settings.CELERY_QUEUE_NAMES)}


def job_figures(window_hours: int) -> list[tuple]:
    """(kind, status, jobs, p50, p95, max seconds) of the jobs finished within the window."""
    table = connection.ops.quote_name(Job._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT kind, status, count(*),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)),
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)),
                       max(extract(epoch FROM finished_at - started_at))
                  FROM {table}
                 WHERE finished_at >= %s AND started_at IS NOT NULL
                 GROUP BY kind, status ORDER BY kind, status""",  # noqa: S608 - the table name is ours
            [timezone.now() - timezone.timedelta(hours=window_hours)],
        )
        return cursor.fetchall()


class SharedStateCollector:
    """Gauges read from Redis and PostgreSQL at scrape time. A source that fails is reported as down
    (``crm_metrics_source_up``) instead of failing the whole page."""

    def collect(self):
        up = GaugeMetricFamily(
            "crm_metrics_source_up", "1 when the figures of this source could be read.", labels=["source"]
        )
        for source, read in (
            ("queues", self._queues),
            ("jobs", self._jobs),
            ("backups", self._backups),
            ("worker", self._worker),
        ):
            try:
                yield from read()
                up.add_metric([source], 1)
            except Exception:  # noqa: BLE001 - a down dependency is what this reports
                up.add_metric([source], 0)
        yield up

    def _queues(self):
        family = GaugeMetricFamily("crm_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"])
        for queue, length in queue_lengths().items():
            family.add_metric([queue], length)
        yield family

    def _jobs(self):
        window = settings.METRICS_JOB_WINDOW_HOURS
        finished = GaugeMetricFamily(
            "crm_jobs_finished", f"Imports and exports finished in the last {window} hours.", labels=["kind", "status"]
        )
        duration = GaugeMetricFamily(
            "crm_job_duration_seconds",
            f"How long the imports and exports finished in the last {window} hours ran (median, 95th percentile, max).",
            labels=["kind", "status", "quantile"],
        )
        for kind, status, jobs, p50, p95, longest in job_figures(window):
            finished.add_metric([kind, status], jobs)
            for quantile, value in (("0.5", p50), ("0.95", p95), ("1", longest)):
                duration.add_metric([kind, status, quantile], float(value or 0))
        running = GaugeMetricFamily("crm_jobs_running", "Imports and exports running now.", labels=["kind"])
        for kind in Job.Kind.values:
            running.add_metric([kind], Job.objects.filter(kind=kind, status=Job.Status.RUNNING).count())
        yield from (finished, duration, running)

    def _backups(self):
        last = Backup.objects.filter(status=Backup.Status.DONE).order_by("-started_at").first()
        age = GaugeMetricFamily("crm_backup_age_seconds", "Seconds since the last good backup finished.")
        passed = GaugeMetricFamily("crm_backup_restore_check_passed", "1 when the last backup's restore check passed.")
        if last is not None and last.finished_at:
            age.add_metric([], (timezone.now() - last.finished_at).total_seconds())
            passed.add_metric([], 1 if last.check_status == Backup.CheckStatus.PASSED else 0)
        yield from (age, passed)

    def _worker(self):
        beat = cache.get(HEARTBEAT_KEY)
        family = GaugeMetricFamily(
            "crm_celery_worker_heartbeat_age_seconds", "Seconds since a worker ran the heartbeat."
        )
        if beat is not None:
            family.add_metric([], time.time() - float(beat))
        yield family


def render() -> bytes:
    """The Prometheus text page: this server's processes, then the shared figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    shared = CollectorRegistry()
    shared.register(SharedStateCollector())
    return generate_latest(processes) + generate_latest(shared)
