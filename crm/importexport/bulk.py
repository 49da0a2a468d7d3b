"""Fast inserts for imports: PostgreSQL COPY instead of INSERT, with history rows to match.

``bulk_create`` builds one huge parameterised INSERT per batch, which costs more Python time than the
import's own checks. COPY streams the rows in PostgreSQL's own format. Primary keys are taken from the
table's sequence first, so the caller can link contacts, tags and history rows to the new records.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

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
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(missing)],
        )
        for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
            setattr(obj, meta.pk.attname, value)


def copy_rows(table: str, columns, rows, *, using=DEFAULT_DB_ALIAS) -> None:
    """COPY plain rows (sequences of database-ready values) into ``table``."""
    connection = connections[using]
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
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        pks = [value for (value,) in cursor.fetchall()]
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
    """History rows for records just written with :func:`copy_insert_values` (the same dicts)."""
    if not rows:
        return
    History = model.history.model
    tracked = {f.attname for f in History.tracked_fields}
    connection = connections[using]
    now = timezone.now()
    plan = []
    for field in _fields(History):
        if field.attname in _HISTORY_COLUMNS or field.attname not in tracked:
            continue
        original = model._meta.get_field(field.name)
        if getattr(original, "auto_now", False) or getattr(original, "auto_now_add", False):
            default = now
        elif original.primary_key:
            default = None
        else:
            default = original.get_default()
        convert = None if field.get_internal_type() in _PLAIN_TYPES else field.get_db_prep_save
        plan.append((field.attname, default, convert))
    columns = [History._meta.get_field(name).column for name, _d, _c in plan]
    columns += ["history_date", "history_type", "history_user_id"]
    extra = [now, history_type, getattr(user, "pk", None)]

    def row_values(row):
        values = []
        for name, default, convert in plan:
            value = row.get(name, default)
            values.append(value if convert is None else convert(value, connection))
        return values + extra

    copy_rows(History._meta.db_table, columns, (row_values(row) for row in rows), using=using)
