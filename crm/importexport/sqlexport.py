"""Exports whose cells PostgreSQL writes: each row made in SQL and streamed out with ``COPY … TO STDOUT``.

A million-row export has a budget of 15,000 rows a second on a shared two-core machine. Reading rows into Python
objects (a tuple, a ``datetime`` and a ``str`` per cell), turning each cell into text and writing it costs several
microseconds a cell; PostgreSQL does the same work in C on the rows it has just read. So when every column of an
export is a plain value, a choice or a moment, the export asks PostgreSQL for the finished text:

- XLSX: one ``<row>…</row>`` of the sheet's XML per row (inline strings, numbers, moments as serial numbers),
  which :func:`copy_xlsx` streams straight into the deflated sheet of the workbook;
- CSV: ``COPY`` in CSV format, which :func:`copy_csv` writes after the byte-order mark and the header.

Python only moves bytes. The rules are those of the Python writers (``exporter``, ``xlsx``): formula-like text gets
a leading apostrophe, moments are written in the export's time zone, choices as their labels in the export's
language, characters XML cannot hold are dropped. A column that PostgreSQL cannot make (a display function of the
app's own, values from another table read per chunk, an encrypted column) makes :func:`copy_statement` return
``None`` and the export goes the Python way; tests run both ways over the same rows.
"""

import csv
import io
import re
import zipfile

import psycopg
from django.db import connections
from django.db.models import F
from django.utils import timezone

from .cells import ChoiceDisplay, LocalTimeText, neutralise
from .xlsx import _CONTENT_TYPES, _ROOT_RELS, _SHEET_END, _SHEET_START, _STYLES, _WORKBOOK, _WORKBOOK_RELS, _text_cell

# The first characters that make a spreadsheet read text as a formula (``cells.FORMULA_STARTS``).
_FORMULA_STARTS_SQL = "('=', '+', '-', '@', E'\\t', E'\\r')"

_TEXT = {"CharField", "TextField", "EmailField", "URLField", "SlugField", "UUIDField"}
_NUMBER = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "FloatField", "DecimalField",
}  # fmt: skip


def _kind(output_field) -> str | None:
    kind = output_field.get_internal_type()
    if kind in _TEXT:
        return "text"
    if kind in _NUMBER:
        return "number"
    return {
        "BooleanField": "bool",
        "DateTimeField": "datetime",
        "DateField": "date",
        "GenericIPAddressField": "ip",
    }.get(kind)


def _quote(value) -> str:
    """A text literal (``standard_conforming_strings`` is on). Labels and time-zone names are inlined: ``COPY``
    takes no parameters."""
    return "'" + str(value).replace("'", "''") + "'"


def _neutralised(value: str) -> str:
    return f"CASE WHEN left({value}, 1) IN {_FORMULA_STARTS_SQL} THEN '''' || {value} ELSE {value} END"


def _xml_text(value: str) -> str:
    """A text cell of the sheet (``xlsx._text_cell``) for the SQL text expression ``value``."""
    escaped = f"replace(replace(replace({_neutralised(value)}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    return (
        f"CASE WHEN {value} IS NULL OR {value} = '' THEN '<c/>' "
        f"ELSE '<c t=\"inlineStr\"><is><t xml:space=\"preserve\">' || {escaped} || '</t></is></c>' END"
    )


def _as_text(kind: str, column: str, zone: str) -> str:
    """The column as text the way the Python writers show it (used for CSV and for unknown choice values)."""
    return {
        "text": column,
        "number": f"{column}::text",
        "bool": f"CASE WHEN {column} THEN 'True' WHEN NOT {column} THEN 'False' END",
        "datetime": f"to_char({column} AT TIME ZONE {zone}, 'YYYY-MM-DD HH24:MI:SS')",
        "date": f"to_char({column}, 'YYYY-MM-DD')",
        "ip": f"host({column})",
    }[kind]


def _xlsx_cell(kind: str, column: str, zone: str) -> str:
    if kind == "number":
        return f"CASE WHEN {column} IS NULL THEN '<c/>' ELSE '<c><v>' || {column}::text || '</v></c>' END"
    if kind == "bool":
        return (
            f"CASE WHEN {column} THEN '<c t=\"b\"><v>1</v></c>' WHEN NOT {column} THEN '<c t=\"b\"><v>0</v></c>' "
            "ELSE '<c/>' END"
        )
    if kind == "datetime":
        # Excel counts days since 1899-12-30 (2,209,161,600 s before 1970-01-01). The local (naive) moment's seconds
        # since then, exact, made a double and divided by a day's, as crm.importexport.xlsx computes it: the same
        # number to the last digit (adding 25569 days to the epoch's days rounded twice, and a moment at half a
        # millisecond read back a millisecond apart).
        serial = f"((extract(epoch FROM {column} AT TIME ZONE {zone}) + 2209161600)::float8 / 86400)::text"
        return f"CASE WHEN {column} IS NULL THEN '<c/>' ELSE '<c s=\"1\"><v>' || {serial} || '</v></c>' END"
    if kind == "date":
        days = f"({column} - DATE '1899-12-30')::text"
        return f"CASE WHEN {column} IS NULL THEN '<c/>' ELSE '<c s=\"2\"><v>' || {days} || '</v></c>' END"
    return _xml_text(_as_text(kind, column, zone))


def _choice_cell(fmt: str, kind: str, column: str, zone: str, labels: dict) -> str:
    """A choice's label, looked up in a ``CASE`` whose branches are the finished cells."""
    branches = []
    for value, label in labels.items():
        if value is None:
            continue
        key = ("TRUE" if value else "FALSE") if kind == "bool" else _quote(value)
        label = neutralise(label)
        if fmt == "xlsx":
            result = _quote(_text_cell(label) if label else "<c/>")
        else:
            result = _quote(label) if label else "NULL"
        branches.append(f"WHEN {key} THEN {result}")
    fallback = _as_text(kind, column, zone)
    fallback = _xml_text(fallback) if fmt == "xlsx" else f"NULLIF({_neutralised(fallback)}, '')"
    if not branches:
        return fallback
    return f"CASE {column} {' '.join(branches)} ELSE {fallback} END"


def copy_statement(queryset, fields, fmt: str) -> str | None:
    """The ``COPY`` that writes the rows of ``queryset`` as ``fmt`` (one line a row), or ``None`` when a field
    cannot be made in SQL. Labels and moments are those of the active language and time zone."""
    if fmt not in ("xlsx", "csv") or any(f.batch is not None for f in fields):
        return None
    columns = {f"c{i}": F(f.source) if isinstance(f.source, str) else f.source for i, f in enumerate(fields)}
    inner = queryset.prefetch_related(None).values(**columns)
    connection = connections[inner.db]
    zone = _quote(timezone.get_current_timezone().key)
    cells = []
    for i, field in enumerate(fields):
        annotation = inner.query.annotations[f"c{i}"]
        try:
            kind = _kind(annotation.output_field)
        except Exception:  # an expression without a known type
            return None
        column = f"s.c{i}"
        display = field.display
        if kind is None:
            return None
        if display is None:
            cell = _xlsx_cell(kind, column, zone) if fmt == "xlsx" else _csv_cell(kind, column, zone)
        elif isinstance(display, ChoiceDisplay):
            cell = _choice_cell(fmt, kind, column, zone, display.labels())
        elif isinstance(display, LocalTimeText) and kind == "datetime":
            text = f"to_char({column} AT TIME ZONE {zone}, 'YYYY-MM-DD HH24:MI:SS')"
            cell = _xml_text(text) if fmt == "xlsx" else text
        else:
            return None
        cells.append(cell)
    sql, params = inner.query.get_compiler(using=inner.db).as_sql()
    # COPY takes no parameters: the query's are merged into its text on the client, as psycopg's client-side
    # cursors do for every query (``ClientCursor.mogrify``: quoted and escaped by libpq).
    connection.ensure_connection()
    sql = psycopg.ClientCursor(connection.connection).mogrify(sql, list(params))
    if fmt == "xlsx":
        select = "'<row>' || " + " || ".join(cells) + " || '</row>'"
        return f"COPY (SELECT {select} FROM ({sql}) AS s) TO STDOUT"  # noqa: S608
    return f"COPY (SELECT {', '.join(cells)} FROM ({sql}) AS s) TO STDOUT WITH (FORMAT csv)"  # noqa: S608


def _csv_cell(kind: str, column: str, zone: str) -> str:
    text = _as_text(kind, column, zone)
    return f"NULLIF({_neutralised(text)}, '')" if kind == "text" else text


# COPY's text format writes a backslash and the control characters \b \f \n \r \t \v as escapes; the rows themselves
# end in a newline. XML 1.0 cannot hold \b \f \v and the other C0 controls (nor U+FFFE, U+FFFF): they are dropped.
_ESCAPE = re.compile(rb"\\(.)", re.DOTALL)
_UNESCAPED = {b"\\": b"\\", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"", b"f": b"", b"v": b""}
_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def _sheet_bytes(data: bytes) -> bytes:
    data = data.replace(b"\n", b"")
    if b"\\" in data:
        data = _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), data)
    if _ILLEGAL.search(data):
        data = _ILLEGAL.sub(b"", data)
    return data


def _copy(connection, statement, progress, progress_every):
    """The lines ``statement`` writes, in pieces of a few hundred kilobytes; ``progress(count)`` on the way."""
    connection.ensure_connection()
    count = 0
    pending = []
    size = 0
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for line in copy:
            pending.append(line)
            size += len(line)
            count += 1
            if progress is not None and count % progress_every == 0:
                progress(count)
            if size >= 1 << 18:
                yield b"".join(pending), count
                pending.clear()
                size = 0
    yield b"".join(pending), count


def copy_xlsx(out, headers, statement, *, using, progress=None, progress_every=5000) -> int:
    """Write the workbook: the header row, then the rows ``statement`` makes. Returns the number of rows."""
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK)
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            head = "".join(_text_cell(str(h)) if str(h) else "<c/>" for h in headers)
            sheet.write(f"{_SHEET_START}<row>{head}</row>".encode())
            for data, written in _copy(connections[using], statement, progress, progress_every):
                sheet.write(_sheet_bytes(data))
                count = written
            sheet.write(_SHEET_END.encode())
    return count


def copy_csv(out, headers, statement, *, using, progress=None, progress_every=5000) -> int:
    """Write CSV in UTF-8 with a byte-order mark (Excel then reads Chinese correctly). Returns the rows."""
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow([neutralise(str(h)) for h in headers])
    out.write(b"\xef\xbb\xbf" + head.getvalue().encode())
    count = 0
    for data, written in _copy(connections[using], statement, progress, progress_every):
        out.write(data)
        count = written
    return count
