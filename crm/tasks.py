from celery import shared_task

from . import audit


@shared_task
def purge_behaviour_log():
    return audit.behaviour_log_purge()
