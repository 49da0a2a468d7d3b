"""Fast inserts for imports: PostgreSQL COPY instead of INSERT, with history rows to match.

``bulk_create`` builds one huge parameterised INSERT per batch, which costs more Python time than the
import's own checks. COPY streams the rows in PostgreSQL's own format. Primary keys are taken from the
table's sequence first, so the caller can link contacts, tags and history rows to the new records.
"""

import datetime
import json
import logging
import queue
import sys
import threading
from contextlib import contextmanager

from django.contrib.postgres.indexes import GinIndex
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from crm.enqueue import start_task

logger = logging.getLogger(__name__)
_local = threading.local()
# Primary keys reserved per sequence query while background writes run (fewer waits for the connection).
PK_BLOCK = 10_000
WRITER_SWITCH_INTERVAL = 0.0005  # seconds; see background_copies

# Foreign keys are checked at the end of each COPY, while the main thread cleans the next batch, rather
# than all at once in the commit, where nothing else runs alongside.
# New entries of GIN (trigram) indexes wait in each index's pending list, which PostgreSQL searches too,
# instead of being merged into the index every 4 MB inside the import: the merge (about 2 s of the
# import's critical path per 100,000 customers) runs once, after the commit, in a background task
# (``merge_index_entries``). Searches read the pending entries until then, a little more slowly.
_SESSION_SETTINGS = "SET CONSTRAINTS ALL IMMEDIATE; SET LOCAL gin_pending_list_limit = '1GB'"
_MISSING = object()
_HISTORY_COLUMNS = {"history_id", "history_date", "history_type", "history_user_id", "history_change_reason"}


def _fields(model):
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _getters(fields, connection):
    """(attname, converter to COPY text) per field."""
    return [(f.attname, _converter(f, connection)) for f in fields]


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
        with connection.cursor() as cursor:
            cursor.execute(_SESSION_SETTINGS)
        self.using = using
        self.raw = connection.connection
        self.quote = connection.ops.quote_name
        self.queue = queue.Queue(maxsize=4)
        self.error = None
        self.pk_pools = {}
        self.sequences = None
        self.gin_indexes = set()  # names of the GIN indexes of the tables written, merged after the commit
        self.thread = threading.Thread(target=self._run, name="import-copy", daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is not None:
                continue
            sql, data, params = item
            try:
                with self.raw.cursor() as cursor:
                    if data is None:
                        cursor.execute(sql, params)
                        continue
                    with cursor.copy(sql) as copy:
                        copy.write(data)
            except BaseException as error:  # reported to the main thread at its next write or at the end
                self.error = error

    def submit(self, sql, data=None, params=None):
        if self.error is not None:
            raise self.error
        self.queue.put((sql, data, params))

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
    written = False
    # The writer thread needs the GIL for a moment each time the socket to PostgreSQL drains; at the
    # default 5 ms switch interval the cleaning thread holds it so long that PostgreSQL sits idle, waiting
    # for data (measured: a 100,000-row import took 20.6 s at 5 ms and 17.6 s at 0.5 ms).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, WRITER_SWITCH_INTERVAL))
    try:
        yield
        written = True
    finally:
        _local.writer = None
        try:
            writer.close()
        finally:
            sys.setswitchinterval(interval)
    if written and writer.gin_indexes:
        names = sorted(writer.gin_indexes)
        transaction.on_commit(lambda: _queue_merge(names, using), using=using)


def _queue_merge(names, using):
    try:
        start_task("crm.tasks.merge_index_entries", names, using)
    except Exception:  # the import has committed; without the task, autovacuum or the next insert merges
        logger.exception("Could not queue the merge of the pending entries of %s", ", ".join(names))


def merge_index_entries(names, *, using=DEFAULT_DB_ALIAS) -> int:
    """Merge the pending entries of these GIN indexes into the indexes; the number of pending pages merged."""
    merged = 0
    with connections[using].cursor() as cursor:
        for name in names:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
            merged += cursor.fetchone()[0]
    return merged


def note_index_writes(model, *, using=DEFAULT_DB_ALIAS) -> None:
    """Rows of ``model`` were written inside :func:`background_copies` (by COPY or otherwise): have its GIN
    indexes merged after the commit."""
    writer = getattr(_local, "writer", None)
    if writer is not None and writer.using == using:
        writer.gin_indexes.update(index.name for index in model._meta.indexes if isinstance(index, GinIndex))


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


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


_TIMES = (datetime.datetime, datetime.date, datetime.time)


def _text_value(value) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, _TIMES):
        return value.isoformat()
    return _escaped(str(value))


def _escaped(text: str) -> str:
    # Four scans in C are far cheaper than translate()'s per-character mapping, and escapes are rare.
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _text(value) -> str:
    return NULL if value is None else _escaped(str(value))


def _number(value) -> str:
    return NULL if value is None else str(value)


def _boolean(value) -> str:
    return NULL if value is None else ("t" if value else "f")


def _moment(value) -> str:
    return NULL if value is None else value.isoformat()


_CONVERTERS = {
    # A foreign key's value is escaped like text: the key it points at need not be a number.
    **dict.fromkeys(
        [
            "CharField",
            "EmailField",
            "SlugField",
            "TextField",
            "URLField",
            "ForeignKey",
            "OneToOneField",
            "SearchVectorField",
        ],
        _text,
    ),
    **dict.fromkeys(
        [
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "BigIntegerField",
            "IntegerField",
            "PositiveBigIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "SmallIntegerField",
        ],
        _number,
    ),  # fmt: skip
    "BooleanField": _boolean,
    **dict.fromkeys(["DateField", "DateTimeField", "TimeField"], _moment),
}


def _converter(field, connection):
    """A function from the field's Python value to its text in COPY's text format."""
    kind = field.get_internal_type()
    if kind in _CONVERTERS:
        return _CONVERTERS[kind]
    if kind == "JSONField":
        encoder = field.encoder

        def json_text(value):
            return NULL if value is None else _escaped(json.dumps(value, cls=encoder))

        return json_text
    return lambda value: _text_value(field.get_db_prep_save(value, connection))


def copy_text(table: str, columns, lines: list[str], *, using=DEFAULT_DB_ALIAS) -> None:
    """COPY rows already written in COPY's text format (one string per row, no line ending)."""
    if not lines:
        return
    connection = connections[using]
    data = "\n".join(lines) + "\n"
    writer = getattr(_local, "writer", None)
    if writer is not None and writer.using == using:
        names = ", ".join(writer.quote(c) for c in columns)
        writer.submit(f"COPY {writer.quote(table)} ({names}) FROM STDIN", data)
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            copy.write(data)


def copy_rows(table: str, columns, rows, *, using=DEFAULT_DB_ALIAS) -> None:
    """COPY plain rows (sequences of database-ready values) into ``table``."""
    copy_text(table, columns, ["\t".join([_text_value(v) for v in row]) for row in rows], using=using)


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
    getters = _getters(fields, connection)
    lines = ["\t".join([convert(getattr(obj, name)) for name, convert in getters]) for obj in objs]
    copy_text(model._meta.db_table, [f.column for f in fields], lines, using=using)
    note_index_writes(model, using=using)
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
    connection = connections[using]
    getters = _getters(fields, connection)
    columns = [f.column for f in fields] + ["history_date", "history_type", "history_user_id"]
    extra = "\t".join(_text_value(v) for v in (timezone.now(), history_type, getattr(user, "pk", None)))
    lines = ["\t".join([*(convert(getattr(obj, name)) for name, convert in getters), extra]) for obj in objs]
    copy_text(History._meta.db_table, columns, lines, using=using)


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
    plan = []  # (attname, the default's text, converter): a missing key costs nothing per row
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        elif field.primary_key:
            default = None
        else:
            default = field.get_default()
        convert = _converter(field, connection)
        plan.append((field.attname, convert(default), convert))

    pk_name = meta.pk.attname
    for row, pk in zip(rows, pks, strict=True):
        row[pk_name] = pk
    keys = rows[0].keys()
    if all(row.keys() == keys for row in rows):
        # Every row names the same fields (an import builds them alike): the defaults are written into a
        # line template once, and only the fields given are converted per row.
        given = [(name, convert) for name, _text, convert in plan if name in keys]
        template = "\t".join(
            "{}" if name in keys else text.replace("{", "{{").replace("}", "}}") for name, text, _convert in plan
        )
        lines = [template.format(*[convert(row[name]) for name, convert in given]) for row in rows]
    else:
        lines = []
        for row in rows:
            get = row.get
            lines.append(
                "\t".join([convert(value) if (value := get(name, _MISSING)) is not _MISSING else text
                            for name, text, convert in plan])
            )  # fmt: skip
    copy_text(meta.db_table, [f.column for f in fields], lines, using=using)
    note_index_writes(model, using=using)
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


def copy_update(model, objs, fields: list[str], *, using=DEFAULT_DB_ALIAS) -> None:
    """Write ``fields`` (names) of existing instances in one statement: COPY into a temporary table, then one
    ``UPDATE … FROM`` it. ``bulk_update`` builds a CASE per field with a branch per row, which costs more
    Python than the checks of the rows; this costs one COPY. No ``save()``, no signals; ``auto_now`` fields
    named in ``fields`` are set to now."""
    if not objs:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("copy_update runs inside a transaction (its temporary table lives until the commit)")
    quote = connection.ops.quote_name
    meta = model._meta
    pk = meta.pk
    targets = [meta.get_field(name) for name in fields]
    now = timezone.now()
    for field in targets:
        if getattr(field, "auto_now", False):
            for obj in objs:
                setattr(obj, field.attname, now)
    getters = _getters([pk, *targets], connection)
    lines = ["\t".join([convert(getattr(obj, name)) for name, convert in getters]) for obj in objs]
    temporary = f"_copy_update_{meta.db_table}"
    columns = [pk.column, *(field.column for field in targets)]
    names = ", ".join(quote(c) for c in columns)
    assignments = ", ".join(f"{quote(f.column)} = t.{quote(f.column)}" for f in targets)
    with connection.cursor() as cursor:
        # The columns' own types, whatever the model says: LIKE the table, only the columns written.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {quote(temporary)} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {quote(meta.db_table)} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {quote(temporary)} ({names}) FROM STDIN") as copy:
            copy.write("\n".join(lines) + "\n")
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS m SET {assignments} FROM {quote(temporary)} AS t "  # noqa: S608
            f"WHERE m.{quote(pk.column)} = t.{quote(pk.column)}"
        )
        cursor.execute(f"DROP TABLE {quote(temporary)}")
    note_index_writes(model, using=using)
