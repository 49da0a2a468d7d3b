"""Reports as files: XLSX (a sheet per table) and PDF with Chinese text.

The XLSX cells pass through the import/export engine's formula neutralising; the PDF uses reportlab's
CID font and writes every piece of text through crm.pdf, so a record's text never becomes markup.
"""

import datetime
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from crm import pdf
from crm.importexport.exporter import CONTENT_TYPES, neutralise

from .tables import Table

CONTENT_TYPES = {**CONTENT_TYPES, "pdf": "application/pdf"}
FORMATS = ("xlsx", "pdf")


def _cell(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, int | float | Decimal | datetime.date):
        return value
    return neutralise(str(value))


def _sheet_title(title, used) -> str:
    # Excel limits sheet names to 31 characters and forbids a few.
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title))[:28] or "Sheet"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name} {n}", n + 1
    used.add(candidate)
    return candidate


def to_xlsx(title, tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    used = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append([str(title)])
        sheet.append([str(table.title)])
        sheet.append([str(h) for h in table.headers])
        for row in table.rows:
            cells = [_cell(value) for value in row]
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in cells])
        if table.note:
            sheet.append([str(table.note)])
    if not tables:
        workbook.create_sheet(_sheet_title(title, used)).append([str(title)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _pdf_text(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%d %H:%M")
    if value is None:
        return ""
    return str(value)


def to_pdf(title, tables: list[Table], subtitle: str = "") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, SimpleDocTemplate, Spacer, TableStyle

    font = pdf.font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=20, spaceAfter=4 * mm)
    subheading = ParagraphStyle("subheading", fontName=font, fontSize=12, leading=16, spaceAfter=2 * mm)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=10, textColor=colors.grey)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=str(title),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    generated = _("Generated %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    story = [pdf.paragraph(str(title), heading), pdf.paragraph(f"{subtitle} {generated}".strip(), small)]
    for table in tables:
        story += [Spacer(1, 5 * mm), pdf.paragraph(str(table.title), subheading)]
        data = [[pdf.paragraph(str(h), cell) for h in table.headers]]
        data += [[pdf.paragraph(_pdf_text(v), cell) for v in row] for row in table.rows]
        if not table.rows:
            data.append([pdf.paragraph(_("No data."), cell)] + [""] * (len(table.headers) - 1))
        grid = LongTable(data, repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(grid)
        if table.note:
            story.append(pdf.paragraph(str(table.note), small))
    document.build(story)
    return out.getvalue()


def render(fmt: str, title, tables: list[Table], subtitle: str = "") -> bytes:
    if fmt == "xlsx":
        return to_xlsx(title, tables)
    if fmt == "pdf":
        return to_pdf(title, tables, subtitle)
    raise ValueError(f"unknown report format {fmt!r}")


def filename(name: str, fmt: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "report"
    return f"{safe}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
