"""Fast inserts for imports: PostgreSQL COPY instead of INSERT, with history rows to match.

``bulk_create`` builds one huge parameterised INSERT per batch, which costs more Python time than the
import's own checks. COPY streams the rows in PostgreSQL's own format. Primary keys are taken from the
table's sequence first, so the caller can link contacts, tags and history rows to the new records.
"""

import queue
import threading
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

_local = threading.local()
# Primary keys reserved per sequence query while background writes run (fewer waits for the connection).
PK_BLOCK = 10_000

# Field types whose Python value psycopg writes as it is; others go through get_db_prep_save (JSON …).
_PLAIN_TYPES = {
    "AutoField", "BigAutoField", "SmallAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField",
    "DateTimeField", "EmailField", "ForeignKey", "IntegerField", "OneToOneField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField", "URLField",
}  # fmt: skip
_HISTORY_COLUMNS = {"history_id", "history_date", "history_type", "history_user_id", "history_change_reason"}


def _fields(model):
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _getters(fields):
    """(attname, converter or None) per field: only values psycopg cannot take as they are get converted."""
    return [(f.attname, None if f.get_internal_type() in _PLAIN_TYPES else f.get_db_prep_save) for f in fields]


def allocate_pks(model, objs, *, using=DEFAULT_DB_ALIAS) -> None:
    """Give every instance without a primary key the next value of the table's sequence."""
    meta = model._meta
    missing = [obj for obj in objs if getattr(obj, meta.pk.attname) is None]
    if not missing:
        return
    for obj, value in zip(missing, _next_pks(meta.db_table, meta.pk.column, len(missing), using), strict=True):
        setattr(obj, meta.pk.attname, value)


class _BackgroundWriter:
    """Runs the COPY statements of an import in a second thread, on the same connection and transaction.

    The main thread goes on cleaning and checking the next rows while PostgreSQL inserts the previous
    ones and maintains the indexes: on two cores that overlaps the two halves of the work. psycopg
    connections are thread-safe (statements are serialised), so the transaction stays one.
    """

    def __init__(self, using):
        connection = connections[using]
        connection.ensure_connection()
        self.using = using
        self.raw = connection.connection
        self.quote = connection.ops.quote_name
        self.queue = queue.Queue(maxsize=4)
        self.error = None
        self.pk_pools = {}
        self.sequences = None
        self.thread = threading.Thread(target=self._run, name="import-copy", daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is not None:
                continue
            sql, rows, params = item
            try:
                with self.raw.cursor() as cursor:
                    if rows is None:
                        cursor.execute(sql, params)
                        continue
                    with cursor.copy(sql) as copy:
                        for row in rows:
                            copy.write_row(row)
            except BaseException as error:  # reported to the main thread at its next write or at the end
                self.error = error

    def submit(self, sql, rows=None, params=None):
        if self.error is not None:
            raise self.error
        self.queue.put((sql, rows, params))

    def next_pks(self, table, column, count):
        """Sequence values from a connection of their own: nextval needs no transaction and no waiting."""
        if self.sequences is None:
            self.sequences = connections.create_connection(self.using)
        with self.sequences.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [value for (value,) in cursor.fetchall()]

    def close(self):
        self.queue.put(None)
        self.thread.join()
        if self.sequences is not None:
            self.sequences.close()
        if self.error is not None:
            raise self.error


@contextmanager
def background_copies(using=DEFAULT_DB_ALIAS):
    """Inside this block (and a transaction), :func:`copy_rows` hands its COPY to a writer thread.

    Every write is finished, and any error raised, when the block ends; ``flush_copies`` waits earlier.
    """
    if getattr(_local, "writer", None) is not None:
        yield
        return
    writer = _BackgroundWriter(using)
    _local.writer = writer
    try:
        yield
    finally:
        _local.writer = None
        writer.close()


def _next_pks(table, column, count, using):
    writer = getattr(_local, "writer", None)
    if writer is None or writer.using != using:
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [value for (value,) in cursor.fetchall()]
    pool = writer.pk_pools.setdefault(table, [])
    if len(pool) < count:
        pool.extend(writer.next_pks(table, column, max(count - len(pool), PK_BLOCK)))
    taken = pool[:count]
    del pool[:count]
    return taken


def copy_rows(table: str, columns, rows, *, using=DEFAULT_DB_ALIAS) -> None:
    """COPY plain rows (sequences of database-ready values) into ``table``."""
    connection = connections[using]
    writer = getattr(_local, "writer", None)
    if writer is not None and writer.using == using:
        names = ", ".join(writer.quote(c) for c in columns)
        writer.submit(f"COPY {writer.quote(table)} ({names}) FROM STDIN", list(rows))
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def copy_insert(model, objs, *, using=DEFAULT_DB_ALIAS) -> None:
    """Insert model instances with COPY. Like ``bulk_create``: no ``save()``, no signals, no validation;
    ``auto_now``/``auto_now_add`` fields are filled in."""
    if not objs:
        return
    allocate_pks(model, objs, using=using)
    connection = connections[using]
    fields = _fields(model)
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                if field.auto_now or getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)
    getters = _getters(fields)
    rows = (
        [getattr(obj, name) if prep is None else prep(getattr(obj, name), connection) for name, prep in getters]
        for obj in objs
    )
    copy_rows(model._meta.db_table, [f.column for f in fields], rows, using=using)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def copy_history(model, objs, *, user=None, history_type="+", using=DEFAULT_DB_ALIAS) -> None:
    """django-simple-history rows for instances just written in bulk (``+`` created, ``~`` changed)."""
    if not objs:
        return
    History = model.history.model
    tracked = {f.attname for f in History.tracked_fields}
    fields = [f for f in _fields(History) if f.attname not in _HISTORY_COLUMNS and f.attname in tracked]
    getters = _getters(fields)
    columns = [f.column for f in fields] + ["history_date", "history_type", "history_user_id"]
    extra = [timezone.now(), history_type, getattr(user, "pk", None)]
    connection = connections[using]
    rows = (
        [
            *(getattr(obj, name) if prep is None else prep(getattr(obj, name), connection) for name, prep in getters),
            *extra,
        ]
        for obj in objs
    )
    copy_rows(History._meta.db_table, columns, rows, using=using)


def copy_insert_values(model, rows: list[dict], *, using=DEFAULT_DB_ALIAS) -> list[int]:
    """Insert rows given as dicts of attname → value with COPY, without building model instances.

    Missing fields take their model default; ``auto_now``/``auto_now_add`` fields are set to now.
    Returns the new primary keys in the rows' order (each dict also gets its pk).
    """
    if not rows:
        return []
    connection = connections[using]
    meta = model._meta
    pks = _next_pks(meta.db_table, meta.pk.column, len(rows), using)
    fields = _fields(model)
    now = timezone.now()
    plan = []  # (attname, default, converter)
    for field in fields:
        convert = None if field.get_internal_type() in _PLAIN_TYPES else field.get_db_prep_save
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        elif field.primary_key:
            default = None
        else:
            default = field.get_default()
        prepared = default if convert is None else convert(default, connection)
        plan.append((field.attname, default, prepared, convert))

    def row_values(row):
        values = []
        for name, default, prepared, convert in plan:
            value = row.get(name, default)
            if convert is not None:
                value = prepared if value is default else convert(value, connection)
            values.append(value)
        return values

    pk_name = meta.pk.attname
    for row, pk in zip(rows, pks, strict=True):
        row[pk_name] = pk
    copy_rows(meta.db_table, [f.column for f in fields], (row_values(row) for row in rows), using=using)
    return pks


def copy_history_values(model, rows: list[dict], *, user=None, history_type="+", using=DEFAULT_DB_ALIAS) -> None:
    """History rows for records just written with :func:`copy_insert_values` (the same dicts, with pks).

    Copied inside PostgreSQL from the rows just inserted (INSERT … SELECT), so no Python formats them twice.
    """
    if not rows:
        return
    History = model.history.model
    tracked = {f.attname for f in History.tracked_fields}
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = [f.column for f in _fields(History) if f.attname not in _HISTORY_COLUMNS and f.attname in tracked]
    names = ", ".join(quote(c) for c in columns)
    sql = (
        f"INSERT INTO {quote(History._meta.db_table)} ({names}, history_date, history_type, history_user_id) "  # noqa: S608
        f"SELECT {names}, %s, %s, %s FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = ANY(%s)"
    )
    params = [timezone.now(), history_type, getattr(user, "pk", None), [row[model._meta.pk.attname] for row in rows]]
    writer = getattr(_local, "writer", None)
    if writer is not None and writer.using == using:
        writer.submit(sql, params=params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
