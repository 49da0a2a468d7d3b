"""Export of the behaviour log: XLSX through the shared exporter and PDF drawn on ReportLab's canvas (Chinese
through the STSong-Light CID font). Either is a background job with progress when large: XLSX beyond
``EXPORT_SYNC_MAX_ROWS`` entries, PDF beyond one page of the log, up to ``EXPORT_PDF_MAX_ROWS``."""

import io

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import pdf
from crm.importexport.cells import choice_display, local_time_text
from crm.importexport.exporter import (
    ExportField,
    log_export,
    queryset_rows,
    write_rows,
)
from crm.importexport.exports import DatasetExport
from crm.models import BehaviourLog, Job
from crm.scope import Module

from .. import selectors
from ..forms import BehaviourLogFilterForm

DATASET = "behaviour_log"
MODULE = Module.SECURITY
FORMATS = ("xlsx", "pdf")
# One page of the log (security/views/behaviour_log.py shows 50 entries a page): a PDF of more is a job.
PDF_NOW_MAX_ROWS = 50


FIELDS = [
    ExportField("at", gettext_lazy("Time"), "at", local_time_text),
    ExportField("user", gettext_lazy("User"), "username"),
    ExportField("action", gettext_lazy("Action"), "action", choice_display(BehaviourLog.Action.choices)),
    ExportField("module", gettext_lazy("Module"), "module"),
    ExportField("object", gettext_lazy("Object"), "object_repr"),
    ExportField("ip", gettext_lazy("IP address"), "ip"),
]


def entries_for(*, user, query: QueryDict):
    """The entries an export covers: none unless the user may read the log."""
    if not user.has_perm("crm.view_behaviourlog"):
        return BehaviourLog.objects.none()
    form = BehaviourLogFilterForm(query, modules=selectors.behaviour_log_modules())
    return selectors.behaviour_log_filter(data=form.cleaned_data if form.is_valid() else {})


BEHAVIOUR_LOG = DatasetExport(
    dataset=DATASET,
    module=MODULE,
    queryset=entries_for,
    fields=lambda keys: FIELDS,
    writers={"pdf": lambda *args, **kwargs: write_log_file(*args, **kwargs)},
)


# Column widths (points) of the landscape A4 page; the object column takes what the others leave.
_WIDTHS = [95, 80, 80, 70, 330, 85]
_SIZE, _LEADING, _PAD = 8, 10, 3
# At most this many lines of one cell: a row is never taller than a page.
_MAX_LINES = 40


def _lines(text: str, width: float, char_width) -> list[str]:
    """``text`` broken into lines no wider than ``width``: at a space when the line has one, else between two
    characters (Chinese has no spaces), and at every line break of the text."""
    lines = []
    for paragraph in text.split("\n"):
        line, used, space = "", 0.0, -1
        for char in paragraph:
            w = char_width(char)
            if used + w > width and line:
                if space > 0 and char != " ":
                    lines.append(line[:space])
                    line = line[space + 1 :]
                    used = sum(char_width(c) for c in line)
                else:
                    lines.append(line)
                    line, used = "", 0.0
                space = -1
            if char == " ":
                space = len(line)
            line += char
            used += w
        lines.append(line)
    if len(lines) > _MAX_LINES:
        lines = [*lines[: _MAX_LINES - 1], lines[_MAX_LINES - 1] + "…"]
    return lines


def write_pdf(out, headers, rows, progress=None, progress_every=500) -> int:
    """A landscape A4 table, drawn line by line on the canvas: text is only ever drawn as text (no markup is
    read: ReportLab's Paragraph would read ``<img src=…>`` or ``<a href=…>`` in a name), and a page costs a few
    milliseconds rather than the platypus table's second. STSong-Light is a CID font every PDF reader has, so
    Chinese needs no font file. ``progress(count)`` every ``progress_every`` rows."""
    # reportlab only where a PDF is written, as in crm/pdf.py.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    font = pdf.font()
    page_width, page_height = landscape(A4)
    left = (page_width - sum(_WIDTHS)) / 2
    top, bottom = page_height - 40, 36
    widths: dict[str, float] = {}

    def char_width(char):
        width = widths.get(char)
        if width is None:
            width = widths[char] = stringWidth(char, font, _SIZE)
        return width

    canvas = Canvas(out, pagesize=(page_width, page_height), pageCompression=1)
    canvas.setTitle(_("Behaviour log"))
    canvas.setStrokeColor(colors.grey)
    canvas.setLineWidth(0.25)

    def draw_row(cells, y, shaded=False):
        wrapped = [
            _lines("" if value is None else str(value), w - 2 * _PAD, char_width)
            for value, w in zip(cells, _WIDTHS, strict=True)
        ]
        height = max(len(lines) for lines in wrapped) * _LEADING + 2 * _PAD
        if y - height < bottom:
            return None
        x = left
        for lines, w in zip(wrapped, _WIDTHS, strict=True):
            if shaded:
                canvas.setFillColor(colors.HexColor("#e9ecef"))
                canvas.rect(x, y - height, w, height, stroke=1, fill=1)
                canvas.setFillColor(colors.black)
            else:
                canvas.rect(x, y - height, w, height, stroke=1, fill=0)
            text = canvas.beginText(x + _PAD, y - _PAD - _SIZE)
            text.setFont(font, _SIZE, _LEADING)
            for line in lines:
                text.textLine(line)
            canvas.drawText(text)
            x += w
        return y - height

    def new_page(first=False):
        y = top
        if first:
            canvas.setFont(font, 14)
            canvas.drawString(left, y - 14, str(_("Behaviour log")))
            y -= 26
        return draw_row([str(h) for h in headers], y, shaded=True)

    y = new_page(first=True)
    count = 0
    for row in rows:
        below = draw_row(row, y)
        if below is None:
            canvas.showPage()
            canvas.setStrokeColor(colors.grey)
            canvas.setLineWidth(0.25)
            y = new_page()
            below = draw_row(row, y)
        y = below
        count += 1
        if progress is not None and count % progress_every == 0:
            progress(count)
    canvas.save()
    return count


def write_log_file(out, fmt, fields, queryset, progress=None) -> int:
    """The export job's writer for PDF (XLSX goes through the shared engine)."""
    return write_pdf(out, [f.label for f in fields], queryset_rows(queryset, fields), progress)


@transaction.atomic
def behaviour_log_export(*, actor, entries, fmt: str, filters: dict) -> tuple[bytes, int]:
    """The file's bytes and its row count, at once; the export itself goes into the log."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    out = io.BytesIO()
    headers, rows = [f.label for f in FIELDS], queryset_rows(entries, FIELDS)
    count = write_rows(out, "xlsx", headers, rows) if fmt == "xlsx" else write_pdf(out, headers, rows)
    log_export(actor=actor, dataset=DATASET, module=MODULE, rows=count, fields=[], filters=filters, fmt=fmt)
    return out.getvalue(), count


def pdf_now_max_rows() -> int:
    """A PDF of at most one page of the log (and no more than any export made at once) downloads at once."""
    return min(PDF_NOW_MAX_ROWS, settings.EXPORT_SYNC_MAX_ROWS)


def behaviour_log_export_start(*, actor, query: QueryDict, fmt: str = "xlsx") -> Job:
    """A large export as a background job (XLSX, or PDF beyond one page); the job page shows progress and then
    the download."""
    query = query.copy()
    query.pop("page", None)
    return BEHAVIOUR_LOG.start(
        actor=actor,
        query=query,
        fmt=fmt,
        task="security.tasks.run_behaviour_log_export",
        keys=[f.key for f in FIELDS],
        filters=query.dict(),
    )


def behaviour_log_export_run(*, job_id) -> Job:
    return BEHAVIOUR_LOG.run(job_id=job_id)
