"""Writing rows to XLSX or CSV in constant memory, with spreadsheet formulas neutralised.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a
formula by Excel or LibreOffice (CSV injection); such text is written with a leading apostrophe.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from crm.audit import log_action
from crm.models import BehaviourLog

from .cells import FORMULA_STARTS, neutralise
from .sqlexport import copy_csv, copy_statement, copy_xlsx
from .xlsx import write_workbook

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def sync_max_rows() -> int:
    return getattr(settings, "EXPORT_SYNC_MAX_ROWS", 5_000)


@dataclass(frozen=True)
class ExportField:
    """A column: ``source`` is the ``values_list`` path; ``display`` turns the stored value into the cell.

    ``batch``, for values that live in other tables (tags of a customer): given the ``source`` values of a
    chunk of rows, it returns a dict value → cell, so a chunk costs one extra query instead of one per row.
    """

    key: str
    label: Any
    source: str
    display: Callable[[Any], Any] | None = None
    batch: Callable[[list], dict] | None = None


def _cells():
    """A function from a stored value to the cell written: moments in the current time zone (looked up once per
    export, not per cell), lists joined, formula-like text neutralised."""
    zone = timezone.get_current_timezone()

    def cell(value):
        kind = type(value)
        if kind is str:
            return "'" + value if value.startswith(FORMULA_STARTS) else value
        if kind is datetime.datetime:
            if value.tzinfo is not None:
                value = value.astimezone(zone)
            return value.replace(tzinfo=None)
        if isinstance(value, list | tuple | set):
            return neutralise(", ".join(str(v) for v in value))
        return neutralise(value)

    return cell


def write_xlsx(out, headers: Sequence, rows: Iterable[Sequence], progress=None, progress_every=5000) -> int:
    """Write a workbook row by row in constant memory (``crm.importexport.xlsx``; ``out`` is a binary file)."""

    def report(count):
        if count % progress_every == 0:
            progress(count)

    cell = _cells()
    cells = ([cell(value) for value in row] for row in rows)
    return write_workbook(out, [str(h) for h in headers], cells, on_row=report if progress is not None else None)


def write_csv(out, headers: Sequence, rows: Iterable[Sequence], progress=None, progress_every=5000) -> int:
    """Write CSV in UTF-8 with a BOM so Excel opens Chinese text correctly; ``out`` is a binary file."""
    # Not write-through: rows reach ``out`` in chunks of several kilobytes, not one write each (which was most of
    # the time of a large export); ``flush()`` below hands over the rest.
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow([neutralise(str(h)) for h in headers])
        count = 0
        cell = _cells()
        for row in rows:
            writer.writerow(["" if value is None else cell(value) for value in row])
            count += 1
            if progress is not None and count % progress_every == 0:
                progress(count)
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
    return count


def write_rows(out, fmt: str, headers, rows, progress=None) -> int:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    writer = write_xlsx if fmt == "xlsx" else write_csv
    return writer(out, headers, rows, progress=progress)


def write_queryset(out, fmt: str, fields: Sequence[ExportField], queryset, progress=None) -> int:
    """Write the rows of ``queryset`` as ``fmt``: PostgreSQL makes the cells when every field allows it
    (``sqlexport``), the Python writers otherwise. Returns the number of rows."""

    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    headers = [f.label for f in fields]
    statement = copy_statement(queryset, fields, fmt)
    if statement is None:
        return write_rows(out, fmt, headers, queryset_rows(queryset, fields), progress=progress)
    writer = copy_xlsx if fmt == "xlsx" else copy_csv
    return writer(out, headers, statement, using=queryset.db, progress=progress)


def queryset_rows(queryset, fields: Sequence[ExportField], chunk_size: int = 2000):
    """The cells of each record, read with ``values_list`` in chunks of ``chunk_size``."""
    displays = [f.display for f in fields]
    batched = [(i, f.batch) for i, f in enumerate(fields) if f.batch is not None]
    rows = queryset.prefetch_related(None).values_list(*[f.source for f in fields]).iterator(chunk_size)
    while True:
        chunk = [list(values) for values in islice(rows, chunk_size)]
        if not chunk:
            return
        for index, batch in batched:
            cells = batch([row[index] for row in chunk])
            for row in chunk:
                row[index] = cells.get(row[index], "")
        for values in chunk:
            yield [display(v) if display else v for display, v in zip(displays, values, strict=True)]


@contextmanager
def streaming_reads(using=DEFAULT_DB_ALIAS):
    """Let ``.iterator()`` use a server-side cursor inside one read transaction, for this connection only.

    The project turns server-side cursors off (they do not survive a transaction-pooling proxy between
    transactions); inside a transaction they are safe, and they keep a million-row export's memory flat.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        original = connection.settings_dict
        connection.settings_dict = {**original, "DISABLE_SERVER_SIDE_CURSORS": False}
        try:
            yield
        finally:
            connection.settings_dict = original


def export_filename(dataset: str, fmt: str) -> str:
    return f"{dataset}-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"


def log_export(*, actor, dataset: str, module: str, rows: int, fields: Sequence[str], filters: dict, fmt: str):
    """The behaviour-log entry every export writes."""
    return log_action(
        actor=actor,
        action=BehaviourLog.Action.EXPORT,
        module=module,
        detail={"dataset": dataset, "rows": rows, "fields": list(fields), "filter": filters, "format": fmt},
    )
