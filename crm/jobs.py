"""Background jobs with progress: created for a user, run by Celery, polled by the page."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Job


def job_create(*, user, kind: str, dataset: str, options=None, source_file=None) -> Job:
    job = Job(user=user, kind=kind, dataset=dataset, options=options or {})
    if source_file is not None:
        job.source_file.save(source_file.name, source_file, save=False)
    job.save()
    return job


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
