"""Reads that may be served by a PostgreSQL read replica (``DATABASE_REPLICA_URL``).

Reports, dashboards, statistics, the big screen and exports read a lot and write little: they may read
from the replica, which takes that load off the primary. Everything else reads from the primary. The
replica lags the primary a little, so a read that must see a write never goes there: inside a
transaction on the primary (which may have written) every read stays on the primary, and writes always
go to the primary.

A piece of code asks for replica reads with :func:`replica_reads`; the views listed in
``REPLICA_READ_VIEWS`` get them for GET requests through :class:`ReplicaReadsMiddleware`. Without a
replica configured both do nothing.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_replica_reads = contextvars.ContextVar("crm_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Reads in this block may go to the replica (when there is one and no primary transaction is open)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def read_alias() -> str:
    """The database a read made here and now goes to."""
    if _replica_reads.get() and replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Reads go to the replica only inside :func:`replica_reads`; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both databases hold the same rows: an object read from the replica may point at one from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary by replication; nothing is ever migrated on it directly.
        return db != REPLICA


class ReplicaReadsMiddleware:
    """GET and HEAD requests to the views named in ``REPLICA_READ_VIEWS`` read from the replica.

    Set in ``process_view``, after the session and the user were read (from the primary, so a fresh
    sign-in is never lost to replication lag). An entry ending in ``:`` names a whole namespace.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = request.__dict__.pop("_replica_reads_token", None)
            if token is not None:
                _replica_reads.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or not replica_configured():
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        entries = settings.REPLICA_READ_VIEWS
        if any(name == entry or (entry.endswith(":") and name.startswith(entry)) for entry in entries):
            request._replica_reads_token = _replica_reads.set(True)
        return None
