"""Export of the behaviour log: XLSX through the shared exporter (a background job when large) and PDF
(reportlab, Chinese through the STSong-Light CID font, capped at the synchronous size)."""

import io

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import pdf
from crm.importexport.exporter import (
    ExportField,
    choice_display,
    local_time_text,
    log_export,
    queryset_rows,
    write_rows,
)
from crm.importexport.exports import DatasetExport
from crm.models import BehaviourLog, Job

from .. import selectors
from ..forms import BehaviourLogFilterForm

DATASET = "behaviour_log"
MODULE = "security"
FORMATS = ("xlsx", "pdf")


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


BEHAVIOUR_LOG = DatasetExport(dataset=DATASET, module=MODULE, queryset=entries_for, fields=lambda keys: FIELDS)


def write_pdf(out, headers, rows) -> int:
    """A landscape A4 table; STSong-Light is a CID font every PDF reader has, so Chinese needs no font file."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    font = pdf.font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    title = ParagraphStyle("title", fontName=font, fontSize=14, leading=18, spaceAfter=8)
    data = [[pdf.paragraph(h, cell) for h in headers]]
    data += [[pdf.paragraph(value, cell) for value in row] for row in rows]
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
    document = SimpleDocTemplate(out, pagesize=landscape(A4), title=_("Behaviour log"))
    document.build([pdf.paragraph(_("Behaviour log"), title), table])
    return len(data) - 1


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


def behaviour_log_export_start(*, actor, query: QueryDict) -> Job:
    """A large XLSX export as a background job; the job page shows progress and then the download."""
    from ..tasks import run_behaviour_log_export

    query = query.copy()
    query.pop("page", None)
    return BEHAVIOUR_LOG.start(
        actor=actor,
        query=query,
        fmt="xlsx",
        task=run_behaviour_log_export,
        keys=[f.key for f in FIELDS],
        filters=query.dict(),
    )


def behaviour_log_export_run(*, job_id) -> Job:
    return BEHAVIOUR_LOG.run(job_id=job_id)
