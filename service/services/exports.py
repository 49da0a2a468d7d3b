"""Ticket exports: the list's current view and filter, within the record scope, through the shared engine
(crm.importexport): at once when small, as a background job with progress when large."""

from django.utils.translation import gettext_lazy as _

from crm.importexport.cells import choice_display
from crm.importexport.exporter import ExportField
from crm.importexport.exports import DatasetExport
from crm.models import Job
from crm.scope import Module
from customers.selectors.transfer import export_filter

from ..models import Ticket
from ..selectors import ticket_list

DATASET = "tickets"
MODULE = Module.SERVICE


def export_fields() -> list[ExportField]:
    yes_no = choice_display([(True, _("yes")), (False, "")])
    return [
        ExportField("number", _("Number"), "pk"),
        ExportField("subject", _("Subject"), "subject"),
        ExportField("type", _("Type"), "type", choice_display(Ticket.Type.choices)),
        ExportField("channel", _("Channel"), "channel", choice_display(Ticket.Channel.choices)),
        ExportField("priority", _("Priority"), "priority", choice_display(Ticket.Priority.choices)),
        ExportField("status", _("Status"), "status", choice_display(Ticket.Status.choices)),
        ExportField("customer", _("Customer"), "customer__name"),
        ExportField("queue", _("Queue"), "queue__name"),
        ExportField("assignee", _("Assignee"), "assignee__username"),
        ExportField("created_at", _("Created"), "created_at"),
        ExportField("first_responded_at", _("First response"), "first_responded_at"),
        ExportField("resolved_at", _("Resolved"), "resolved_at"),
        ExportField("response_due_at", _("First response due"), "response_due_at"),
        ExportField("resolution_due_at", _("Resolution due"), "resolution_due_at"),
        ExportField("response_breached", _("First response overdue"), "response_breached", yes_no),
        ExportField("resolution_breached", _("Resolution overdue"), "resolution_breached", yes_no),
    ]


def ticket_export_queryset(*, user, data):
    filterset, _view = ticket_list(user=user, data=data)
    return filterset.qs.select_related(None)


TICKETS = DatasetExport(
    dataset=DATASET,
    module=MODULE,
    queryset=lambda user, query: ticket_export_queryset(user=user, data=query),
    fields=lambda keys: export_fields(),
)


def tickets_export(*, actor, data, fmt) -> tuple[str, str, bytes]:
    """A small export, made at once: (file name, content type, content). Logged like every export."""
    return TICKETS.now(actor=actor, query=export_filter(data), fmt=fmt)


def ticket_export_start(*, actor, data, fmt) -> Job:
    """A large export as a background job; the job page shows progress and then the download."""
    return TICKETS.start(actor=actor, query=export_filter(data), fmt=fmt, task="service.tasks.run_ticket_export")


def ticket_export_run(*, job_id) -> Job:
    return TICKETS.run(job_id=job_id)
