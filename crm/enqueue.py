"""Start a Celery task named by its dotted path, now or once the current transaction commits.

An app's ``tasks`` module imports the services it runs; a service that starts a task names it here instead of
importing ``tasks`` back. So the imports run one way, tasks → services, and the graph has no circle.
"""

from django.db import transaction
from django.utils.module_loading import import_string


def start_task(task: str, *args, countdown: float | None = None):
    """Send ``task`` (``"app.tasks.name"``) its ``args`` now; ``countdown`` seconds from now if given."""
    return import_string(task).apply_async(args, countdown=countdown)


def enqueue(task: str, *args, countdown: float | None = None, using: str | None = None) -> None:
    """Send ``task`` its ``args`` once the transaction on ``using`` commits: the worker then reads what the
    caller wrote, and a rolled-back write starts nothing."""
    transaction.on_commit(lambda: start_task(task, *args, countdown=countdown), using=using)
