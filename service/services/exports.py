"""Ticket exports: the list's current view and filter, within the record scope, through the shared engine
(crm.importexport): at once when small, as a background job with progress when large."""

from io import BytesIO

from django.db import transaction
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crm.importexport.exporter import CONTENT_TYPES, ExportField, export_filename, log_export, queryset_rows, write_rows
from crm.importexport.jobs import export_job_run
from crm.jobs import job_create
from crm.models import Job
from customers.selectors_transfer import export_filter

from ..models import Ticket
from ..selectors import ticket_list

DATASET = "tickets"
MODULE = "service"


def _label(choices):
    labels = dict(choices)
    return lambda value: str(labels.get(value, value))


def _yes_no(value):
    return str(_("yes")) if value else ""


def export_fields() -> list[ExportField]:
    return [
        ExportField("number", _("Number"), "pk"),
        ExportField("subject", _("Subject"), "subject"),
        ExportField("type", _("Type"), "type", _label(Ticket.Type.choices)),
        ExportField("channel", _("Channel"), "channel", _label(Ticket.Channel.choices)),
        ExportField("priority", _("Priority"), "priority", _label(Ticket.Priority.choices)),
        ExportField("status", _("Status"), "status", _label(Ticket.Status.choices)),
        ExportField("customer", _("Customer"), "customer__name"),
        ExportField("queue", _("Queue"), "queue__name"),
        ExportField("assignee", _("Assignee"), "assignee__username"),
        ExportField("created_at", _("Created"), "created_at"),
        ExportField("first_responded_at", _("First response"), "first_responded_at"),
        ExportField("resolved_at", _("Resolved"), "resolved_at"),
        ExportField("response_due_at", _("First response due"), "response_due_at"),
        ExportField("resolution_due_at", _("Resolution due"), "resolution_due_at"),
        ExportField("response_breached", _("First response overdue"), "response_breached", _yes_no),
        ExportField("resolution_breached", _("Resolution overdue"), "resolution_breached", _yes_no),
    ]


def ticket_export_queryset(*, user, data):
    filterset, _view = ticket_list(user=user, data=data)
    return filterset.qs.select_related(None)


def _detail(query: QueryDict) -> dict:
    return {key: values if len(values) > 1 else values[0] for key, values in query.lists() if values}


def tickets_export(*, actor, data, fmt) -> tuple[str, str, bytes]:
    """A small export, made at once: (file name, content type, content). Logged like every export."""
    query = export_filter(data)
    fields = export_fields()
    out = BytesIO()
    rows = queryset_rows(ticket_export_queryset(user=actor, data=query), fields)
    count = write_rows(out, fmt, [f.label for f in fields], rows)
    log_export(
        actor=actor, dataset=DATASET, module=MODULE, rows=count, fields=[f.key for f in fields],
        filters=_detail(query), fmt=fmt,
    )  # fmt: skip
    return export_filename(DATASET, fmt), CONTENT_TYPES[fmt], out.getvalue()


@transaction.atomic
def ticket_export_start(*, actor, data, fmt) -> Job:
    """A large export as a background job; the job page shows progress and then the download."""
    from ..tasks import run_ticket_export

    query = export_filter(data)
    job = job_create(
        user=actor,
        kind=Job.Kind.EXPORT,
        dataset=DATASET,
        options={
            "format": fmt, "query": query.urlencode(), "filter": _detail(query),
            "language": translation.get_language(),
        },
    )  # fmt: skip
    transaction.on_commit(lambda: run_ticket_export.delay(job.pk))
    return job


def ticket_export_run(*, job_id) -> Job:
    job = Job.objects.only("options").get(pk=job_id)
    with translation.override(job.options.get("language")):
        return export_job_run(
            job_id=job_id,
            queryset_for=lambda user, options: ticket_export_queryset(
                user=user, data=QueryDict(options.get("query", ""))
            ),
            fields_for=lambda options: export_fields(),
            module=MODULE,
        )
