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
from crm.importexport.cells import neutralise
from crm.importexport.exporter import CONTENT_TYPES

from .tables import Table

# openpyxl and reportlab are imported by the functions that write a file: importing them costs every process
# about 0.15 s, and most never write a report file. They are libraries, not modules of this project.

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


def _xlsx_number(sheet, value, unit):
    """A number the spreadsheet keeps as a number, shown grouped (and with its currency)."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, int | float | Decimal):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if unit == "count":
        cell.number_format = "#,##0"
    elif unit in ("number", "money"):
        cell.number_format = "#,##0.00"
    else:
        cell.number_format = f'#,##0.00 "{unit}"'
    return cell


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
        units = table.units or [""] * len(table.headers)
        for row in table.rows:
            cells = [_cell(value) for value in row]
            sheet.append([
                _xlsx_number(sheet, value, unit) if unit else (ILLEGAL_CHARACTERS_RE.sub("", value)
                                                                if isinstance(value, str) else value)
                for value, unit in zip(cells, [*units, *[""] * len(cells)], strict=False)
            ])  # fmt: skip
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


COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#dc3545", "#6f42c1", "#20c997", "#ffc107", "#0dcaf0", "#6c757d"]


def pdf_chart(chart, width, height=70 * 2.8346):
    """A report chart as a reportlab drawing (bars, lines or a pie), in the colours of the page's charts.

    Drawn by reportlab itself: no browser and no image library is needed to put the chart in the PDF.
    """
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.charts.piecharts import Pie
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    font = pdf.font()
    palette = [colors.HexColor(c) for c in COLOURS]
    drawing = Drawing(width, height)
    labels = [_pdf_text(label)[:24] for label in chart.labels]
    series = [[float(v) if v is not None else 0.0 for v in s.values] for s in chart.series]
    if chart.kind in ("doughnut", "pie"):
        plot = Pie()
        plot.x, plot.y, plot.width, plot.height = 20, 10, height - 20, height - 20
        plot.data = series[0] if series and any(series[0]) else [1]
        plot.labels = None
        plot.slices.strokeColor = colors.white
        for index in range(len(plot.data)):
            plot.slices[index].fillColor = palette[index % len(palette)]
        legend_items = [(palette[i % len(palette)], label) for i, label in enumerate(labels)]
    else:
        plot = HorizontalLineChart() if chart.kind == "line" else VerticalBarChart()
        plot.x, plot.y, plot.width, plot.height = 45, 30, width * 0.68, height - 45
        plot.data = series or [[0]]
        plot.categoryAxis.categoryNames = labels
        plot.categoryAxis.labels.fontName = font
        plot.categoryAxis.labels.fontSize = 6
        plot.categoryAxis.labels.angle = 30 if len(labels) > 6 else 0
        plot.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 6 else "n"
        plot.valueAxis.labels.fontName = font
        plot.valueAxis.labels.fontSize = 6
        plot.valueAxis.valueMin = min(0, *(min(s) for s in plot.data))
        plot.valueAxis.labelTextFormat = lambda value: f"{value:,.0f}"
        for index in range(len(plot.data)):
            target = plot.lines[index] if chart.kind == "line" else plot.bars[index]
            if chart.kind == "line":
                target.strokeColor = palette[index % len(palette)]
                target.strokeWidth = 1.5
            else:
                target.fillColor = palette[index % len(palette)]
                target.strokeColor = None
        legend_items = [(palette[i % len(palette)], _pdf_text(s.label)[:30]) for i, s in enumerate(chart.series)]
    drawing.add(plot)
    legend = Legend()
    legend.fontName, legend.fontSize = font, 7
    legend.x, legend.y = width * 0.74 if chart.kind not in ("doughnut", "pie") else height + 10, height - 10
    legend.alignment = "right"
    legend.columnMaximum = 12
    legend.colorNamePairs = legend_items[:24]
    drawing.add(legend)
    return drawing


def to_pdf(title, tables: list[Table], subtitle: str = "", charts=()) -> bytes:
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
    for chart in charts:
        story += [Spacer(1, 4 * mm), pdf_chart(chart, document.width)]
    for table in tables:
        story += [Spacer(1, 5 * mm), pdf.paragraph(str(table.title), subheading)]
        data = [[pdf.paragraph(str(h), cell) for h in table.headers]]
        data += [[pdf.paragraph(_pdf_text(v), cell) for v in row] for row in table.display_rows()]
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


def render(fmt: str, title, tables: list[Table], subtitle: str = "", charts=()) -> bytes:
    if fmt == "xlsx":
        return to_xlsx(title, tables)
    if fmt == "pdf":
        return to_pdf(title, tables, subtitle, charts=charts)
    raise ValueError(f"unknown report format {fmt!r}")


def filename(name: str, fmt: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "report"
    return f"{safe}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
