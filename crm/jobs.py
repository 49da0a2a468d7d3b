"""Background jobs with progress: created for a user, run by Celery, polled by the page."""

from datetime import timedelta

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation

from .enqueue import enqueue
from .models import Job


def job_create(
    *, user, kind: str, dataset: str, options=None, source_file=None, status=Job.Status.QUEUED, parent=None,
    dry_run=False,
) -> Job:  # fmt: skip
    """A job in the language of the request that asks for it; ``status`` pending for an upload that waits for
    the user's confirmation, queued (the default) for work the caller hands to a task once committed."""
    job = Job(
        user=user, kind=kind, dataset=dataset, options=options or {}, status=status, parent=parent, dry_run=dry_run,
        language=translation.get_language() or "", file_name=parent.file_name if parent is not None else "",
    )  # fmt: skip
    if source_file is not None:
        job.file_name = getattr(source_file, "name", "")[:255]
        job.source_file.save(source_file.name, source_file, save=False)
    job.save()
    return job


def job_queue(job: Job, *, task: str, **fields) -> bool:
    """Hand a waiting upload to ``task`` (the dotted path of a Celery task given the job id) once the
    transaction commits; only
    the first confirmation of a job queues it. ``fields`` are saved with the new status."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != Job.Status.PENDING:
            return False
        for name, value in fields.items():
            setattr(job, name, value)
        job.status = Job.Status.QUEUED
        job.save(update_fields=["status", *fields])
        enqueue(task, job.pk)
    return True


def job_get(*, user, pk) -> Job:
    """A job is visible to the user who started it only."""
    return get_object_or_404(Job, pk=pk, user=user)


def job_start(job: Job, *, total: int = 0) -> None:
    job.status, job.total, job.processed, job.started_at = Job.Status.RUNNING, total, 0, timezone.now()
    job.save(update_fields=["status", "total", "processed", "started_at"])


def job_progress(job: Job, *, processed: int) -> None:
    # Written outside any surrounding transaction so the page sees progress while the work goes on.
    Job.objects.filter(pk=job.pk).update(processed=processed)
    job.processed = processed


def job_finish(job: Job, *, result: dict, output_name: str | None = None, output=None) -> None:
    with transaction.atomic():
        if output is not None:
            job.output_file.save(output_name, output, save=False)
        job.status, job.result, job.finished_at = Job.Status.DONE, result, timezone.now()
        job.processed = job.total
        job.save()


def job_fail(job: Job, *, error: str) -> None:
    job.status, job.error, job.finished_at = Job.Status.FAILED, error[:5000], timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


def jobs_purge_waiting(*, older_than: timedelta, dataset: str | None = None) -> int:
    """Delete uploads never imported: import jobs still waiting for confirmation after ``older_than``, with
    the dry runs made of them and their files (once the deletion has committed). Returns how many went."""
    stale = Job.objects.filter(
        kind=Job.Kind.IMPORT, status=Job.Status.PENDING, dry_run=False, created_at__lt=timezone.now() - older_than
    )
    if dataset is not None:
        stale = stale.filter(dataset=dataset)
    with transaction.atomic():
        uploads = list(stale.select_for_update(skip_locked=True))
        if not uploads:
            return 0
        checks = list(Job.objects.filter(parent__in=uploads))
        files = [f for job in [*uploads, *checks] for f in (job.source_file, job.output_file) if f]
        Job.objects.filter(pk__in=[job.pk for job in [*uploads, *checks]]).delete()
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])
    return len(uploads)
