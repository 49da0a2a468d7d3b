"""What each process measures for Prometheus: request latency and database queries per view, slow SQL.

Under gunicorn every worker process counts for itself; with ``PROMETHEUS_MULTIPROC_DIR`` set (the image
sets it) the counts go to files there and ``/metrics`` adds them up (prometheus-client's multiprocess
mode; ``crm/gunicorn.py`` clears the folder at start and marks dead workers). What is shared by every
machine (queue lengths, jobs, backups) is read at scrape time instead: ``security/services/metrics.py``.

Any statement slower than ``SLOW_QUERY_MS`` is logged (logger ``crm.slow_sql``, one JSON line) with the
view or Celery task that ran it, so a slow page can be traced to its query.
"""

import logging
import time
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.urls import Resolver404, resolve
from prometheus_client import Counter, Histogram

REQUEST_SECONDS = Histogram(
    "crm_http_request_duration_seconds",
    "Time from the request's arrival to its response, per view and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REQUEST_QUERIES = Histogram(
    "crm_http_request_db_queries",
    "Database queries one request ran, per view.",
    ["view"],
    buckets=(0, 1, 2, 4, 8, 12, 20, 35, 60, 100, 250),
)
SLOW_QUERIES = Counter("crm_db_slow_queries_total", "Statements slower than SLOW_QUERY_MS, per view or task.", ["view"])

slow_sql_log = logging.getLogger("crm.slow_sql")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# Paths that match no view (scanners, typos) share one label, so the label set stays bounded.
UNMATCHED = "<unmatched>"


class QueryWatch:
    """An execute wrapper for every database connection: counts statements and logs the slow ones."""

    def __init__(self, where: str = UNMATCHED, path: str = ""):
        self.where, self.path, self.count = where, path, 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            elapsed_ms = (time.perf_counter() - started) * 1000
            if elapsed_ms >= settings.SLOW_QUERY_MS:
                SLOW_QUERIES.labels(self.where).inc()
                fields = {
                    "view": self.where,
                    "path": self.path,
                    "duration_ms": round(elapsed_ms, 1),
                    "database": context["connection"].alias,
                    "sql": sql[:2000],
                }
                slow_sql_log.warning("slow SQL in %(view)s: %(duration_ms)s ms", fields, extra={"fields": fields})

    def installed(self):
        """A context in which every connection of this thread runs its statements through the watch."""
        stack = ExitStack()
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(self))
        return stack


class MetricsMiddleware:
    """Times each request and counts its queries, labelled with the view that answered (not the path, whose
    ids would make a label per record)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        # Resolved now, so the queries that come before the view (session, user) count for it too.
        try:
            where = resolve(request.path_info).view_name or UNMATCHED
        except Resolver404:
            where = UNMATCHED
        watch = QueryWatch(where=where, path=request.path[:300])
        request._query_watch = watch
        try:
            with watch.installed():
                return self.get_response(request)
        finally:
            method = request.method if request.method in METHODS else "other"
            REQUEST_SECONDS.labels(watch.where, method).observe(time.perf_counter() - started)
            REQUEST_QUERIES.labels(watch.where).observe(watch.count)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        request._query_watch.where = (match.view_name if match else "") or getattr(view_func, "__name__", UNMATCHED)


def watch_task_queries(sender=None, task=None, **kwargs):
    """Celery ``task_prerun``: slow SQL of a task is logged with the task's name."""
    watch = QueryWatch(where=getattr(task, "name", "task"))
    task.request._query_watch_stack = stack = watch.installed()
    stack.__enter__()


def unwatch_task_queries(sender=None, task=None, **kwargs):
    stack = getattr(task.request, "_query_watch_stack", None) if task is not None else None
    if stack is not None:
        stack.__exit__(None, None, None)
