"""Demo: the worker heartbeat is recorded once, so /healthz reflects the stack before beat's first tick."""

from .services.health import worker_heartbeat_record


def seed(context):
    worker_heartbeat_record()
    context["stdout"].write("Security: worker heartbeat recorded; run `manage.py backup` for a first backup.")
