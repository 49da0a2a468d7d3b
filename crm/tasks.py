from datetime import timedelta

from celery import shared_task
from django.conf import settings

from . import audit
from .importexport.bulk import merge_index_entries as merge
from .jobs import jobs_purge_waiting


@shared_task
def purge_behaviour_log():
    return audit.behaviour_log_purge()


@shared_task
def merge_index_entries(names, using="default"):
    """After a bulk import: merge the search indexes' pending entries (see crm.importexport.bulk)."""

    return merge(names, using=using)


@shared_task
def purge_waiting_uploads():
    """Hourly: uploads never imported (and their dry runs and files) go after IMPORT_WAITING_MAX_AGE_HOURS."""

    return jobs_purge_waiting(older_than=timedelta(hours=settings.IMPORT_WAITING_MAX_AGE_HOURS))
