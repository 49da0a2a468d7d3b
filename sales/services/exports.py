"""Opportunity export through the shared engine: the list's current filter, at once or as a job."""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from crm.importexport import ExportField, choice_display
from crm.importexport.exports import DatasetExport
from crm.models import Job
from crm.scope import Module

from ..models import Opportunity
from ..selectors import opportunity_list

DATASET = "opportunities"
MODULE = Module.SALES
# Query parameters that are not filters.
NOT_FILTERS = {"page", "format"}


def export_fields() -> list[ExportField]:
    return [
        ExportField("name", _("Name"), "name"),
        ExportField("customer", _("Customer"), "customer__name"),
        ExportField("pipeline", _("Pipeline"), "pipeline__name"),
        ExportField("stage", _("Stage"), "stage__name"),
        ExportField("status", _("Status"), "status", display=choice_display(Opportunity.Status.choices)),
        ExportField("amount", _("Amount"), "amount"),
        ExportField("currency", _("Currency"), "currency"),
        ExportField("expected_close_date", _("Expected close date"), "expected_close_date"),
        ExportField("owner", _("Owner"), "owner__username"),
        ExportField("next_step", _("Next step"), "next_step"),
        ExportField("close_reason", _("Won/lost reason"), "close_reason"),
        ExportField("created_at", _("Created"), "created_at"),
    ]


def export_filter(data) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in data.lists():
        if key not in NOT_FILTERS:
            query.setlist(key, values)
    return query


def export_queryset(*, user, query: QueryDict):
    return opportunity_list(user=user, data=query).qs.order_by("pk")


OPPORTUNITIES = DatasetExport(
    dataset=DATASET, module=MODULE, queryset=export_queryset, fields=lambda keys: export_fields()
)


def opportunities_export(*, actor, data, fmt) -> tuple[str, str, bytes]:
    """A small export, made at once: (file name, content type, content), logged like every export."""
    return OPPORTUNITIES.now(actor=actor, query=export_filter(data), fmt=fmt)


def opportunity_export_start(*, actor, data, fmt) -> Job:
    """A large export as a background job with progress; the job page offers the file at the end."""
    return OPPORTUNITIES.start(
        actor=actor, query=export_filter(data), fmt=fmt, task="sales.tasks.run_opportunity_export"
    )


def opportunity_export_run(*, job_id) -> Job:
    return OPPORTUNITIES.run(job_id=job_id)
