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
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from crm.audit import log_action
from crm.models import BehaviourLog

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def choice_display(choices):
    """A ``display`` for a choice field: the label of the stored value (the value itself if unknown)."""
    labels = dict(choices)
    return lambda value: str(labels.get(value, value or ""))


def neutralise(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, list | tuple | set):
        value = ", ".join(str(v) for v in value)
    return neutralise(value)


def write_xlsx(out, headers: Sequence, rows: Iterable[Sequence], progress=None, progress_every=5000) -> int:
    """Write a workbook with XlsxWriter in constant-memory mode: each row goes to a temporary file as it comes (memory
    stays flat) and cells are written by type, without the per-cell objects of openpyxl's write-only mode, which was
    about half as fast. ``out`` is a binary file."""
    import xlsxwriter
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            # Text stays text: no guessing of numbers, formulas or links from a cell's content.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet()
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    write_string, write_number = sheet.write_string, sheet.write_number
    for column, header in enumerate(headers):
        write_string(0, column, str(header))
    illegal = ILLEGAL_CHARACTERS_RE.search
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is str:
                if value.startswith(_FORMULA_STARTS):
                    value = "'" + value
                if illegal(value):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                write_string(count, column, value)
            elif kind is int or kind is float:
                write_number(count, column, value)
            elif kind is bool:
                sheet.write_boolean(count, column, value)
            elif isinstance(value, datetime.datetime):
                if timezone.is_aware(value):
                    value = timezone.localtime(value)
                sheet.write_datetime(count, column, value.replace(tzinfo=None), moment)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(count, column, value, day)
            elif isinstance(value, Decimal):
                write_number(count, column, float(value))
            else:
                text = _cell(value)
                write_string(count, column, str(text))
        if progress is not None and count % progress_every == 0:
            progress(count)
    workbook.close()
    return count


def write_csv(out, headers: Sequence, rows: Iterable[Sequence], progress=None, progress_every=5000) -> int:
    """Write CSV in UTF-8 with a BOM so Excel opens Chinese text correctly; ``out`` is a binary file."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([neutralise(str(h)) for h in headers])
        count = 0
        for row in rows:
            writer.writerow(["" if value is None else _cell(value) for value in row])
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
