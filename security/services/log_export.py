"""Export of the behaviour log to XLSX (the shared exporter's writer) and PDF (reportlab, Chinese-capable)."""

import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.importexport.exporter import log_export, write_xlsx

FORMATS = ("xlsx", "pdf")


def _headers():
    return [_("Time"), _("User"), _("Action"), _("Module"), _("Object"), _("IP address")]


def _rows(entries):
    for entry in entries.iterator(chunk_size=2000):
        yield [
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.username,
            str(entry.get_action_display()),
            entry.module,
            entry.object_repr,
            entry.ip or "",
        ]


def write_pdf(out, headers, rows) -> int:
    """A landscape A4 table; STSong-Light is a CID font every PDF reader has, so Chinese needs no font file."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    title = ParagraphStyle("title", fontName="STSong-Light", fontSize=14, leading=18, spaceAfter=8)
    data = [[Paragraph(str(h), cell) for h in headers]]
    for row in rows:
        data.append([Paragraph(str(value).replace("&", "&amp;").replace("<", "&lt;"), cell) for value in row])
    table = Table(data, repeatRows=1, colWidths=[95, 80, 80, 70, 330, 85])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    document = SimpleDocTemplate(out, pagesize=landscape(A4), title=str(_("Behaviour log")))
    document.build([Paragraph(str(_("Behaviour log")), title), table])
    return len(data) - 1


@transaction.atomic
def behaviour_log_export(*, actor, entries, fmt: str, filters: dict) -> tuple[bytes, int]:
    """The file's bytes and its row count; the export itself goes into the log."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    out = io.BytesIO()
    headers = _headers()
    count = write_xlsx(out, headers, _rows(entries)) if fmt == "xlsx" else write_pdf(out, headers, _rows(entries))
    log_export(actor=actor, dataset="behaviour_log", module="security", rows=count, fields=[], filters=filters, fmt=fmt)
    return out.getvalue(), count
