from celery import shared_task

from . import audit


@shared_task
def purge_behaviour_log():
    return audit.behaviour_log_purge()


@shared_task
def merge_index_entries(names, using="default"):
    """After a bulk import: merge the search indexes' pending entries (see crm.importexport.bulk)."""
    from .importexport.bulk import merge_index_entries as merge

    return merge(names, using=using)
