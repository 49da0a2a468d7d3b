"""Opportunity export through the shared engine: the list's current filter, at once or as a job."""

from io import BytesIO

from django.db import transaction
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crm.importexport import ExportField, write_rows
from crm.importexport.exporter import CONTENT_TYPES, export_filename, log_export, queryset_rows
from crm.importexport.jobs import export_job_run
from crm.jobs import job_create
from crm.models import Job

from ..models import Opportunity

DATASET = "opportunities"
MODULE = "sales"
# Query parameters that are not filters.
NOT_FILTERS = {"page", "format"}


def export_fields() -> list[ExportField]:
    statuses = dict(Opportunity.Status.choices)
    return [
        ExportField("name", _("Name"), "name"),
        ExportField("customer", _("Customer"), "customer__name"),
        ExportField("pipeline", _("Pipeline"), "pipeline__name"),
        ExportField("stage", _("Stage"), "stage__name"),
        ExportField("status", _("Status"), "status", display=lambda v: str(statuses.get(v, v))),
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
    from ..selectors import opportunity_list

    return opportunity_list(user=user, data=query).qs.order_by("pk")


def _filter_detail(query: QueryDict) -> dict:
    return {key: values if len(values) > 1 else values[0] for key, values in query.lists() if values}


def opportunities_export(*, actor, data, fmt) -> tuple[str, str, bytes]:
    """A small export, made at once: (file name, content type, content), logged like every export."""
    fields, query = export_fields(), export_filter(data)
    out = BytesIO()
    rows = queryset_rows(export_queryset(user=actor, query=query), fields)
    count = write_rows(out, fmt, [f.label for f in fields], rows)
    log_export(
        actor=actor, dataset=DATASET, module=MODULE, rows=count, fields=[f.key for f in fields],
        filters=_filter_detail(query), fmt=fmt,
    )  # fmt: skip
    return export_filename(DATASET, fmt), CONTENT_TYPES[fmt], out.getvalue()


@transaction.atomic
def opportunity_export_start(*, actor, data, fmt) -> Job:
    """A large export as a background job with progress; the job page offers the file at the end."""
    from ..tasks import run_opportunity_export

    query = export_filter(data)
    job = job_create(
        user=actor,
        kind=Job.Kind.EXPORT,
        dataset=DATASET,
        options={
            "format": fmt, "query": query.urlencode(), "filter": _filter_detail(query),
            "language": translation.get_language(),
        },
    )  # fmt: skip
    transaction.on_commit(lambda: run_opportunity_export.delay(job.pk))
    return job


def opportunity_export_run(*, job_id) -> Job:
    job = Job.objects.only("options").get(pk=job_id)
    with translation.override(job.options.get("language")):
        return export_job_run(
            job_id=job_id,
            queryset_for=lambda user, options: export_queryset(user=user, query=QueryDict(options.get("query", ""))),
            fields_for=lambda options: export_fields(),
            module=MODULE,
        )
