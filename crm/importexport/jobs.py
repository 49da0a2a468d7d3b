"""Running imports and exports as background jobs, with progress the page can poll.

An import is one long transaction, so its progress is written through a second database connection
that commits each update at once; otherwise the page would see nothing until the end. A job runs at
most once: a finished job is left alone, and while one worker holds the job's advisory lock a second
delivery of the same task does nothing.
"""

import logging
import tempfile
import zlib
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.db import replica_reads
from crm.jobs import job_fail, job_finish, job_start
from crm.models import Job

from .exporter import export_filename, log_export, streaming_reads, write_queryset, write_rows
from .importer import run_import
from .reading import open_table

logger = logging.getLogger(__name__)

_LOCK_CLASS = zlib.crc32(b"crm.importexport.job") & 0x7FFFFFFF


class SideChannel:
    """Progress written on its own autocommit connection; never waits for a lock on the job row."""

    def __init__(self, job: Job):
        self.job = job
        self.connection = None

    def _execute(self, sql, params):
        if self.connection is None:
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        table = connection.ops.quote_name(Job._meta.db_table)
        try:
            with self.connection.cursor() as cursor:
                # SKIP LOCKED: if this transaction's own connection holds the row, skip the update, never wait.
                cursor.execute(
                    f"UPDATE {table} SET {sql} WHERE id IN "  # noqa: S608
                    f"(SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
                    [*params, self.job.pk],
                )
        except Exception:  # progress is a courtesy; the import must not fail over it
            logger.exception("Could not record the progress of job %s", self.job.pk)

    def start(self, total: int):
        self.job.started_at, self.job.total = timezone.now(), total
        self._execute(
            "status = %s, total = %s, processed = 0, started_at = %s", [Job.Status.RUNNING, total, self.job.started_at]
        )

    def progress(self, processed: int):
        self.job.processed = processed
        if processed > self.job.total:
            self.job.total = processed
        self._execute("processed = %s, total = %s", [processed, self.job.total])

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _try_lock(job_pk) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, int(job_pk) & 0x7FFFFFFF])
        return bool(cursor.fetchone()[0])


def _claimable(job: Job) -> bool:
    """Queued, or running when a worker died mid-way (its transaction rolled back); never a waiting upload."""
    job.refresh_from_db(fields=["status"])
    return job.status in (Job.Status.QUEUED, Job.Status.RUNNING)


def error_report(errors, fmt="xlsx") -> ContentFile:
    """The bad rows of an import as a spreadsheet: row, column, message."""

    out = BytesIO()
    write_rows(out, fmt, [_("Row"), _("Column"), _("Message")], ([e.row, e.column, e.message] for e in errors))
    return ContentFile(out.getvalue())


def import_job_run(*, job_id, spec_for) -> Job:
    """Run the import a job describes; ``spec_for(actor=user)`` builds the app's ImportSpec.

    ``job.options``: ``mapping`` (column index → field key), ``duplicate_policy``, ``import_valid_rows``. A
    ``dry_run`` job checks every row of its ``parent`` upload and saves nothing. Row error messages are
    written in the job's ``language``.
    """
    job = Job.objects.select_related("user", "parent").get(pk=job_id)
    if not _claimable(job):
        return job
    with translation.override(job.language or None):
        return _import(job, spec_for)


def _import(job, spec_for) -> Job:
    side = SideChannel(job)
    try:
        with transaction.atomic():
            if not _try_lock(job.pk) or not _claimable(job):
                return job
            options = job.options
            # A dry run reads the file of the upload it checks; that job keeps the file until it is confirmed.
            source_file = job.parent.source_file if job.dry_run else job.source_file
            spec = spec_for(actor=job.user)
            with source_file.open("rb") as source:
                table = open_table(source, source_file.name, meanwhile=spec.prepare)
                side.start(table.total_estimate)
                outcome = run_import(
                    spec=spec,
                    table=table,
                    mapping=options.get("mapping") or {},
                    duplicate_policy=options.get("duplicate_policy", "skip"),
                    import_valid_rows=bool(options.get("import_valid_rows")),
                    dry_run=job.dry_run,
                    progress=side.progress,
                )
            side.close()  # before the job row is written on this connection
            job.total = outcome.rows
            report = error_report(outcome.errors) if outcome.errors else None
            job_finish(
                job, result=outcome.as_result(), output_name=f"{job.dataset}-import-errors-{job.pk}.xlsx", output=report
            )
    except ValidationError as error:
        job_fail(job, error=" ".join(error.messages))
    except Exception as error:
        job_fail(job, error=str(error) or error.__class__.__name__)
        raise
    finally:
        side.close()
    return job


def export_job_run(*, job_id, queryset_for, fields_for, module, writers=None) -> Job:
    """Run an export job: ``queryset_for(user, options)`` gives the scoped, filtered rows and
    ``fields_for(options)`` the chosen ExportFields. ``job.options``: ``format``, ``fields``, ``filter``;
    column headings and cells are written in the job's ``language``. ``writers``: formats of the app's own
    (``DatasetExport.writers``)."""
    job = Job.objects.select_related("user").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return job
    with translation.override(job.language or None):
        return _export(job, queryset_for, fields_for, module, writers or {})


def _export(job, queryset_for, fields_for, module, writers) -> Job:
    options = job.options
    fmt = options.get("format", "xlsx")
    write = writers.get(fmt, write_queryset)
    try:
        fields = fields_for(options)
        # Exports read from the read replica when there is one (crm/db.py); the job's own rows stay on the primary.
        with replica_reads():
            queryset = queryset_for(job.user, options)
            total, reads_from = queryset.order_by().count(), queryset.db
        job_start(job, total=total)
        side = SideChannel(job)
        with tempfile.TemporaryFile() as out:
            # The rows are read in one transaction (for the server-side cursor), so progress goes on the side.
            with replica_reads(), streaming_reads(using=reads_from):
                count = write(out, fmt, fields, queryset, side.progress)
            side.close()
            out.seek(0)
            with transaction.atomic():
                log_export(
                    actor=job.user, dataset=job.dataset, module=module, rows=count,
                    fields=[f.key for f in fields], filters=options.get("filter") or {}, fmt=fmt,
                )  # fmt: skip
                job.total = count
                job_finish(
                    job,
                    result={"rows": count, "summary": _("%(count)d rows exported.") % {"count": count}},
                    output_name=export_filename(job.dataset, fmt),
                    output=File(out),
                )
    except Exception as error:
        job_fail(job, error=str(error) or error.__class__.__name__)
        raise
    return job
