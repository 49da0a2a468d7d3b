"""Reading uploaded spreadsheets: limits, type checks, encodings, and a row iterator.

Every check runs before the file is parsed: the size, the extension and the content must agree (the
one upload check of ``crm.uploads``), and
an XLSX archive's central directory is read first so a zip bomb is refused before openpyxl inflates it.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..uploads import check_upload

IMPORT_TYPES = ("xlsx", "csv")

# Below this size a member's compression ratio is not worth worrying about.
_RATIO_MIN_BYTES = 1024 * 1024


def _limit(name, default):
    return getattr(settings, name, default)


def max_bytes() -> int:
    return _limit("IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    return _limit("IMPORT_MAX_ROWS", 200_000)


def max_uncompressed_bytes() -> int:
    return _limit("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)


def max_compression_ratio() -> int:
    return _limit("IMPORT_MAX_COMPRESSION_RATIO", 200)


def check_xlsx_archive(file) -> None:
    """Read the zip's central directory only: refuse what would inflate past the limits."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValidationError(_("The file is not a valid Excel workbook."), code="content") from error
    finally:
        file.seek(0)
    if not any(member.filename == "[Content_Types].xml" for member in members):
        raise ValidationError(_("The file is a zip archive but not an Excel workbook."), code="content")
    total = sum(member.file_size for member in members)
    if total > max_uncompressed_bytes():
        raise ValidationError(
            _(
                "The workbook would unpack to %(size)s; the limit is %(limit)s (IMPORT_MAX_UNCOMPRESSED_BYTES). "
                "Split it into smaller files."
            )
            % {"size": filesizeformat(total), "limit": filesizeformat(max_uncompressed_bytes())},
            code="too_big_unpacked",
        )
    for member in members:
        if member.file_size < _RATIO_MIN_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > max_compression_ratio():
            raise ValidationError(
                _(
                    "The workbook part %(part)s is compressed %(ratio)d times; more than "
                    "%(limit)d times (IMPORT_MAX_COMPRESSION_RATIO) is refused as a likely zip bomb."
                )
                % {"part": member.filename, "ratio": ratio, "limit": max_compression_ratio()},
                code="compression_ratio",
            )


def detect_encoding(data: bytes) -> str:
    """A BOM means UTF-8; otherwise strict UTF-8 if the whole file decodes, else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def cell_text(value) -> str:
    """A cell as the text a person sees: 13800138000 not 13800138000.0, dates without midnight."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    """The header row and an iterator of ``(row_number, cells)`` where the number is as in the sheet.

    ``formulas_without_value`` names the cells ("B7") of a workbook holding a formula whose value was
    never saved (a file written by a program rather than by Excel): they read as empty but are not.
    ``first_column`` is the sheet column (0 for A) of ``cells[0]``.
    """

    headers: list[str]
    rows: object
    total_estimate: int
    encoding: str = ""
    formulas_without_value: frozenset = frozenset()
    first_column: int = 0

    def cell_name(self, number: int, index: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.first_column + index + 1)}{number}"

    def is_formula_without_value(self, number: int, index: int) -> bool:
        return bool(self.formulas_without_value) and self.cell_name(number, index) in self.formulas_without_value


def _too_many_rows():
    return ValidationError(
        _("The file has more than %(limit)d rows (IMPORT_MAX_ROWS); split it into smaller files.")
        % {"limit": max_rows()},
        code="too_many_rows",
    )


def _limited(rows):
    """Skip blank rows and stop with a clear error past the row limit."""
    count = 0
    limit = max_rows()
    for number, cells in rows:
        if not any(cells):
            continue
        count += 1
        if count > limit:
            raise _too_many_rows()
        yield number, cells


def _read_xlsx(file, meanwhile=None) -> Table:
    """The first sheet of a workbook, read with python-calamine (Rust, fast) or else openpyxl read-only."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is a dependency; openpyxl is the fallback
        return _read_xlsx_openpyxl(file, meanwhile)
    file.seek(0)
    data = file.read()  # the upload limit keeps this small (IMPORT_MAX_BYTES); each reader gets its own view
    file.seek(0)

    def parse():
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        return sheet, iter(sheet.iter_rows())

    # calamine parses the whole sheet before the first row exists (about a second per 100,000 rows), without
    # holding the GIL: the formula scan and the caller's own preparation run meanwhile in this thread, instead
    # of after it while the database waits for its first rows.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-parse") as pool:
        parsing = pool.submit(parse)
        missing = formulas_without_value(io.BytesIO(data))
        if meanwhile is not None:
            meanwhile()
        try:
            sheet, iterator = parsing.result()
        except Exception as error:  # calamine raises its own kinds for a damaged file
            raise ValidationError(_("The Excel workbook could not be read: %(error)s") % {"error": error}) from error
    # Rows come from the sheet's first row (blank ones included); columns from the first one used.
    last_row = (sheet.end or (0, 0))[0] + 1
    table = _xlsx_table(iterator, 1, total=last_row)
    table.first_column = (sheet.start or (0, 0))[1]
    table.formulas_without_value = missing
    return table


_FORMULA_TAG = re.compile(rb"<f[\s>/]")
_WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_CHUNK = 1024 * 1024


def _has_formulas(file) -> bool:
    """Whether a worksheet of the workbook holds a formula: each part is inflated chunk by chunk and searched,
    never held whole (a 100,000-row sheet is tens of megabytes of XML)."""
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        for member in archive.infolist():
            if not _WORKSHEET_PART.fullmatch(member.filename):
                continue
            with archive.open(member) as part:
                tail = b""
                while chunk := part.read(_CHUNK):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-8:]
    return False


def formulas_without_value(file) -> frozenset:
    """The cells of the first sheet holding a formula with no saved value (openpyxl reads their value as None).

    Only a workbook that has formulas at all is read again, by openpyxl: once for the formulas, once for
    the values Excel saved with them.
    """
    from openpyxl import load_workbook

    try:
        if not _has_formulas(file):
            return frozenset()
        file.seek(0)
        workbook = load_workbook(file, read_only=True, data_only=False)
        formulas = {
            cell.coordinate
            for row in workbook.worksheets[0].iter_rows()
            for cell in row
            if getattr(cell, "data_type", None) == "f"
        }
        workbook.close()
        if not formulas:
            return frozenset()
        file.seek(0)
        workbook = load_workbook(file, read_only=True, data_only=True)
        missing = frozenset(
            cell.coordinate
            for row in workbook.worksheets[0].iter_rows()
            for cell in row
            if getattr(cell, "coordinate", None) in formulas and cell.value is None
        )
        workbook.close()
        return missing
    except (zipfile.BadZipFile, zlib.error, OSError, KeyError, ValueError):
        return frozenset()  # the reader proper reports a damaged file
    finally:
        file.seek(0)


def _read_xlsx_openpyxl(file, meanwhile=None) -> Table:
    from openpyxl import load_workbook

    if meanwhile is not None:
        meanwhile()
    missing = formulas_without_value(file)  # before the read-only workbook starts reading the file lazily
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(_("The Excel workbook could not be read: %(error)s") % {"error": error}) from error
    sheet = workbook.worksheets[0]
    table = _xlsx_table(sheet.iter_rows(values_only=True), 1, total=sheet.max_row or 0, close=workbook.close)
    table.formulas_without_value = missing
    return table


def _xlsx_table(iterator, first_row, *, total, close=None) -> Table:
    headers = []
    header_row = first_row - 1
    for values in iterator:
        header_row += 1
        headers = [cell_text(v) for v in values]
        if any(headers):
            break
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)

    def rows():
        try:
            for number, values in enumerate(iterator, start=header_row + 1):
                # Most cells are text: strip them here rather than through cell_text's checks of every type.
                cells = [v.strip() if type(v) is str else cell_text(v) for v in values[:width]]
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                yield number, cells
        finally:
            if close is not None:
                close()

    return Table(headers=headers, rows=_limited(rows()), total_estimate=max(total - (header_row - first_row + 1), 0))


def _read_csv(file) -> Table:
    file.seek(0)
    data = file.read()
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("The CSV file is neither UTF-8 nor GBK/GB18030 text; save it as “CSV UTF-8” and try again.")
        ) from error
    del data
    first_line = text[: text.find("\n")] if "\n" in text else text
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
        # A quote inside a quoted cell is doubled, as Excel writes it; the header line alone rarely shows that.
        dialect.doublequote = True
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    headers = []
    for headers in reader:
        headers = [h.strip() for h in headers]
        if any(headers):
            break
    width = len(headers)
    header_line = reader.line_num

    def rows():
        for cells in reader:
            cells = [c.strip() for c in cells[:width]]
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            # line_num counts physical lines; a quoted cell with line breaks still reports its last line.
            yield reader.line_num, cells

    total = max(text.count("\n") - header_line + 1, 0)
    return Table(headers=headers, rows=_limited(rows()), total_estimate=total, encoding=encoding)


def open_table(file, name: str | None = None, *, meanwhile: Callable[[], None] | None = None) -> Table:
    """Check the upload (``crm.uploads.check_upload``, then a workbook's archive), then open it for reading
    row by row. ``meanwhile`` (if given) is called once the file has passed the checks, while a workbook is
    parsed: work that needs no row of it."""
    name = name or getattr(file, "name", "") or ""
    check_upload(file, allowed=IMPORT_TYPES, max_bytes=max_bytes(), name=name)
    kind = PurePath(name).suffix.lower().lstrip(".")
    if kind == "xlsx":
        check_xlsx_archive(file)
    if kind == "xlsx":
        table = _read_xlsx(file, meanwhile)
    else:
        if meanwhile is not None:
            meanwhile()
        table = _read_csv(file)
    if not any(table.headers):
        raise ValidationError(_("The file has no header row."), code="no_header")
    return table
