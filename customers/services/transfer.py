"""Customer import and export: upload, dry run, background import, and exports of the current filter."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from crm.importexport import SKIP, guess_mapping, open_table, run_import
from crm.importexport.exports import DatasetExport
from crm.importexport.jobs import import_job_run
from crm.jobs import job_create, jobs_purge_waiting
from crm.models import Job

from ..importing import DATASET, customer_import_spec, export_fields
from ..selectors_transfer import customer_export_queryset, export_filter

MODULE = "customers"


def _fields(keys):
    by_key = {f.key: f for f in export_fields()}
    chosen = [by_key[k] for k in keys if k in by_key]
    if not chosen:
        raise ValidationError(_("Choose at least one column to export."))
    return chosen


# -- import ----------------------------------------------------------------------------------------


def customers_import(
    *, actor, file, name=None, mapping=None, duplicate_policy=SKIP, import_valid_rows=False, dry_run=False,
    progress=None,
):  # fmt: skip
    """Import a file directly (the job runs this in the background; benchmarks and scripts call it).

    ``mapping`` is column index → field key; when omitted it is guessed from the header row. Returns
    the engine's ImportOutcome. One transaction: a refused file leaves nothing behind.
    """
    table = open_table(file, name)
    spec = customer_import_spec(actor=actor, file_name=name or getattr(file, "name", ""))
    if mapping is None:
        mapping = guess_mapping(table.headers, spec)
    return run_import(
        spec=spec,
        table=table,
        mapping=mapping,
        duplicate_policy=duplicate_policy,
        import_valid_rows=import_valid_rows,
        dry_run=dry_run,
        progress=progress,
    )


@transaction.atomic
def customer_import_upload(*, actor, file) -> Job:
    """Check an uploaded file (size, type, header row) and keep it on a waiting import job."""
    table = open_table(file)
    spec = customer_import_spec(actor=actor)
    options = {
        "file_name": file.name,
        "headers": table.headers,
        "mapping": {str(i): key for i, key in guess_mapping(table.headers, spec).items()},
        "estimated_rows": table.total_estimate,
    }
    file.seek(0)
    return job_create(user=actor, kind=Job.Kind.IMPORT, dataset=DATASET, options=options, source_file=file)


@transaction.atomic
def customer_import_check_start(*, actor, job: Job, mapping, duplicate_policy, import_valid_rows) -> Job:
    """Queue a dry run of a waiting upload: a job of its own, with progress, that checks every row and counts
    duplicates without saving anything; its result is the preview the import is confirmed from."""
    from ..tasks import run_customer_import

    upload = Job.objects.get(pk=job.pk, user=actor, kind=Job.Kind.IMPORT, dataset=DATASET)
    check = job_create(
        user=actor,
        kind=Job.Kind.IMPORT,
        dataset=DATASET,
        options={
            "dry_run": True,
            "upload": upload.pk,
            "file_name": upload.options.get("file_name", ""),
            "mapping": {str(i): key for i, key in mapping.items()},
            "duplicate_policy": duplicate_policy,
            "import_valid_rows": bool(import_valid_rows),
            "language": translation.get_language(),
        },
    )
    check.total = upload.options.get("estimated_rows") or 0
    check.save(update_fields=["total"])
    transaction.on_commit(lambda: run_customer_import.delay(check.pk))
    return check


@transaction.atomic
def customer_import_start(*, actor, job: Job, mapping, duplicate_policy, import_valid_rows) -> Job:
    """Queue the import of a waiting job once; a second confirmation of the same job queues nothing."""
    from ..tasks import run_customer_import

    job = Job.objects.select_for_update().get(pk=job.pk, user=actor)
    if job.status != Job.Status.PENDING or job.options.get("queued"):
        return job
    job.options = {
        **job.options,
        "mapping": {str(i): key for i, key in mapping.items()},
        "duplicate_policy": duplicate_policy,
        "import_valid_rows": bool(import_valid_rows),
        "queued": True,
        "language": translation.get_language(),
    }
    job.total = job.options.get("estimated_rows") or 0
    job.save(update_fields=["options", "total"])
    transaction.on_commit(lambda: run_customer_import.delay(job.pk))
    return job


def customer_import_run(*, job_id) -> Job:
    """The background part of an import or of its dry run: runs at most once per job (see crm.importexport.jobs)."""
    file_name = Job.objects.only("options").get(pk=job_id).options.get("file_name", "")
    return import_job_run(job_id=job_id, spec_for=lambda actor: customer_import_spec(actor=actor, file_name=file_name))


def customer_uploads_purge() -> int:
    """Uploads nobody confirmed, with their files and dry runs, once ``IMPORT_WAITING_MAX_AGE_HOURS`` old."""
    return jobs_purge_waiting(older_than=timedelta(hours=settings.IMPORT_WAITING_MAX_AGE_HOURS), dataset=DATASET)


# -- export ----------------------------------------------------------------------------------------


def _export_queryset(*, user, query):
    return customer_export_queryset(user=user, data=query)


CUSTOMERS = DatasetExport(
    dataset=DATASET, module=MODULE, queryset=_export_queryset, fields=lambda keys: _fields(keys or [])
)


def customers_export(*, actor, data, fields, fmt) -> tuple[str, str, bytes]:
    """A small export, made at once: (file name, content type, content). Logged like every export."""
    return CUSTOMERS.now(actor=actor, query=export_filter(data), fmt=fmt, keys=fields)


def customer_export_start(*, actor, data, fields, fmt, total=0) -> Job:
    """A large export as a background job; the job page shows progress and then the download."""
    from ..tasks import run_customer_export

    return CUSTOMERS.start(
        actor=actor, query=export_filter(data), fmt=fmt, task=run_customer_export, keys=fields, total=total
    )


def customer_export_run(*, job_id) -> Job:
    return CUSTOMERS.run(job_id=job_id)
