"""One way for an app to export a data set: it describes the rows and columns, the engine does the rest.

An app declares a :class:`DatasetExport` with its data set name, its module (for the behaviour log), a
queryset builder that starts from the user's record scope, and its columns. The same object makes a small
file at once, queues a large one as a job, and runs that job from the app's Celery task; every path writes
the same behaviour-log entry, so no export goes unlogged.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO

from django.db import transaction
from django.http import HttpResponse, QueryDict

from crm.db import replica_reads
from crm.enqueue import enqueue
from crm.jobs import job_create
from crm.models import Job

from .exporter import CONTENT_TYPES, ExportField, export_filename, log_export, sync_max_rows, write_queryset
from .jobs import export_job_run


def filter_detail(query: QueryDict) -> dict:
    """A query as the behaviour log keeps it: one value per key, or the list when there are several."""
    return {key: values if len(values) > 1 else values[0] for key, values in query.lists() if values}


def attachment(name: str, content_type: str, content: bytes) -> HttpResponse:
    """The response that downloads a file made at once."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_now(*, actor, dataset, module, queryset, fields, fmt, filters, filename=None) -> tuple[str, str, bytes]:
    """Rows the caller has already scoped, as a file made at once: (file name, content type, content).
    The export is written to the behaviour log with its data set, row count, columns and ``filters``."""
    out = BytesIO()
    with replica_reads():
        count = write_queryset(out, fmt, fields, queryset)
    log_export(
        actor=actor, dataset=dataset, module=module, rows=count, fields=[f.key for f in fields], filters=filters,
        fmt=fmt,
    )  # fmt: skip
    return export_filename(filename or dataset, fmt), CONTENT_TYPES[fmt], out.getvalue()


@dataclass(frozen=True)
class DatasetExport:
    """``queryset(user=..., query=QueryDict)`` must start from the user's record scope; ``fields(keys)`` gives
    the columns, the chosen ``keys`` (or ``None`` when the data set has no column choice). ``writers`` adds
    formats of the app's own (a PDF): format → ``writer(out, fmt, fields, queryset, progress)`` returning the rows
    written, as :func:`~crm.importexport.exporter.write_queryset` does for XLSX and CSV."""

    dataset: str
    module: str
    queryset: Callable
    fields: Callable[[Sequence[str] | None], list[ExportField]]
    writers: dict = field(default_factory=dict)

    def too_large(self, *, user, query: QueryDict) -> bool:
        """Whether the rows are more than a download made at once may hold (``EXPORT_SYNC_MAX_ROWS``);
        counted only that far, so a huge list costs no full count."""
        limit = sync_max_rows()
        with replica_reads():
            return self.queryset(user=user, query=query).order_by()[: limit + 1].count() > limit

    def now(self, *, actor, query: QueryDict, fmt: str, keys=None) -> tuple[str, str, bytes]:
        """A small export, made at once: (file name, content type, content), logged like every export."""
        return export_now(
            actor=actor, dataset=self.dataset, module=self.module, queryset=self.queryset(user=actor, query=query),
            fields=self.fields(keys), fmt=fmt, filters=filter_detail(query),
        )  # fmt: skip

    @transaction.atomic
    def start(self, *, actor, query: QueryDict, fmt: str, task: str, keys=None, filters=None, **options) -> Job:
        """A large export as a background job run by the app's ``task`` (its dotted path; given the job id)
        once committed; the job page shows progress and then the download. ``filters`` is what the log keeps of
        the query."""
        if keys is not None:
            options["fields"] = [f.key for f in self.fields(keys)]
        job = job_create(
            user=actor,
            kind=Job.Kind.EXPORT,
            dataset=self.dataset,
            options={
                "format": fmt,
                "query": query.urlencode(),
                "filter": filter_detail(query) if filters is None else filters,
                **options,
            },
        )
        enqueue(task, job.pk)
        return job

    def run(self, *, job_id) -> Job:
        """The background part, in the language the export was asked in; runs at most once per job."""
        return export_job_run(
            job_id=job_id,
            queryset_for=lambda user, options: self.queryset(user=user, query=QueryDict(options.get("query", ""))),
            fields_for=lambda options: self.fields(options.get("fields")),
            module=self.module,
            writers=self.writers,
        )
