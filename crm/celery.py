import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _watch_queries(sender=None, task=None, **kwargs):
    # Imported in the worker, not here: this module loads with the crm package, before Django's settings.
    from .metrics import watch_task_queries

    watch_task_queries(task=task)


@task_postrun.connect
def _unwatch_queries(sender=None, task=None, **kwargs):
    from .metrics import unwatch_task_queries

    unwatch_task_queries(task=task)
