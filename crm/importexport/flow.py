"""One import flow for every data set: upload → columns → dry run → import, each a step of its own.

An app describes its import once as an :class:`ImportFlow` (its columns, its ImportSpec, its task and
its pages' names); the services below and the views in :mod:`.views` do the rest, the same way for
customers and leads:

1. :func:`import_upload` checks the file (size, type, header row), keeps it on a job waiting for the
   user (status ``pending``) with the mapping guessed from the header row;
2. :func:`import_check_start` queues a dry run of it: a job of its own (``dry_run``, ``parent`` = the
   upload) that checks every row and counts duplicates, saving nothing;
3. :func:`import_start` queues the upload itself once confirmed (status ``queued``); a second
   confirmation queues nothing;
4. the app's task calls :func:`import_run`, which runs either kind of job at most once.

Uploads never imported are deleted with their dry runs and files by ``crm.tasks.purge_waiting_uploads``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.enqueue import start_task
from crm.jobs import job_create, job_get, job_queue
from crm.models import Job

from .importer import SKIP, checked_mapping
from .jobs import import_job_run
from .mapping import guess_mapping
from .reading import open_table
from .spec import ImportField, ImportSpec


@dataclass(frozen=True)
class ImportFlow:
    """What the shared import pages and services need to know about one app's data set.

    - ``fields()``: the columns (for the mapping form; no user needed);
    - ``spec(actor=, file_name=)``: the app's ImportSpec for the importing user;
    - ``task``: dotted path of the app's Celery task that runs a job by id (a thin wrapper of
      :func:`import_run`); a path, because the app's tasks import its services, which define the flow;
    - ``url_name``: the upload page (``"customers:customer-import"``); the mapping and dry-run pages are
      that name with ``-map`` and ``-check``; ``cancel_url`` is the list the pages lead back to.
    """

    dataset: str
    title: Any
    permission: str
    url_name: str
    cancel_url: str
    fields: Callable[[], list[ImportField]]
    spec: Callable[..., ImportSpec]
    task: str
    duplicate_label: Any = gettext_lazy("Rows matching an existing record")
    header_examples: Any = ""
    notes: Any = ""

    def step_url(self, step: str = "") -> str:
        return f"{self.url_name}-{step}" if step else self.url_name

    def queue(self, job: Job) -> None:
        """Hand a committed job to the app's task."""
        start_task(self.task, job.pk)


# -- reads -------------------------------------------------------------------------------------------------


def waiting_upload_get(flow: ImportFlow, *, user, pk) -> Job:
    """An upload of this data set by ``user`` (any status); someone else's, or a dry run, is 404."""
    job = job_get(user=user, pk=pk)
    if job.kind != Job.Kind.IMPORT or job.dataset != flow.dataset or job.dry_run:
        raise Http404
    return job


def dry_run_get(flow: ImportFlow, *, user, pk) -> Job:
    """A dry run of this data set by ``user``, with its upload as ``parent``; anything else is 404."""
    job = job_get(user=user, pk=pk)
    if job.kind != Job.Kind.IMPORT or job.dataset != flow.dataset or not job.dry_run or job.parent_id is None:
        raise Http404
    return job


# -- writes ------------------------------------------------------------------------------------------------


def _options(spec: ImportSpec, *, mapping, duplicate_policy, import_valid_rows) -> dict:
    mapping = checked_mapping(mapping, spec)
    return {
        "mapping": {str(index): key for index, key in mapping.items()},
        "duplicate_policy": duplicate_policy or SKIP,
        "import_valid_rows": bool(import_valid_rows),
    }


@transaction.atomic
def import_upload(flow: ImportFlow, *, actor, file) -> Job:
    """Check an uploaded file (size, type, header row) and keep it on an import job waiting for the user."""
    table = open_table(file)
    spec = flow.spec(actor=actor, file_name=file.name)
    options = {
        "headers": table.headers,
        "mapping": {str(i): key for i, key in guess_mapping(table.headers, spec).items()},
        "estimated_rows": table.total_estimate,
    }
    file.seek(0)
    return job_create(
        user=actor, kind=Job.Kind.IMPORT, dataset=flow.dataset, options=options, source_file=file,
        status=Job.Status.PENDING,
    )  # fmt: skip


@transaction.atomic
def import_check_start(flow: ImportFlow, *, actor, upload: Job, mapping, duplicate_policy, import_valid_rows) -> Job:
    """Queue a dry run of a waiting upload: a job of its own, with progress, that checks every row and counts
    duplicates without saving anything; its result is the preview the import is confirmed from."""
    upload = waiting_upload_get(flow, user=actor, pk=upload.pk)
    if upload.status != Job.Status.PENDING:
        raise ValidationError(_("This file has been imported already; upload it again to check it."))
    spec = flow.spec(actor=actor, file_name=upload.file_name)
    options = _options(spec, mapping=mapping, duplicate_policy=duplicate_policy, import_valid_rows=import_valid_rows)
    check = job_create(
        user=actor, kind=Job.Kind.IMPORT, dataset=flow.dataset, options=options, parent=upload, dry_run=True
    )
    check.total = upload.options.get("estimated_rows") or 0
    check.save(update_fields=["total"])
    transaction.on_commit(lambda: flow.queue(check))
    return check


@transaction.atomic
def import_start(flow: ImportFlow, *, actor, upload: Job, mapping, duplicate_policy, import_valid_rows) -> Job:
    """Queue the import of a waiting upload once; a second confirmation of the same upload queues nothing."""
    upload = waiting_upload_get(flow, user=actor, pk=upload.pk)
    spec = flow.spec(actor=actor, file_name=upload.file_name)
    options = _options(spec, mapping=mapping, duplicate_policy=duplicate_policy, import_valid_rows=import_valid_rows)
    job_queue(
        upload,
        task=flow.task,
        options={**upload.options, **options},
        total=upload.options.get("estimated_rows") or 0,
        language=translation.get_language() or "",  # the confirming request's, for the row messages
    )
    return upload


def import_run(flow: ImportFlow, *, job_id) -> Job:
    """The background part of an import or of its dry run: runs at most once per job (see :mod:`.jobs`)."""
    file_name = Job.objects.only("file_name").get(pk=job_id).file_name
    return import_job_run(job_id=job_id, spec_for=lambda actor: flow.spec(actor=actor, file_name=file_name))
