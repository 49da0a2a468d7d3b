"""gunicorn's settings for the image's one command: ``gunicorn --config gunicorn.conf.py crm.wsgi:application``.

Everything can be changed from the environment, so docker-compose, a Kubernetes manifest and the
production smoke test run the very same command.
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# About two per core for this mostly database-bound app; see README "Sizing".
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Workers are replaced now and then, so a slow leak never grows for days.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The app writes its own JSON request log (crm.requests); GUNICORN_ACCESS_LOG="" switches gunicorn's off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Workers' heartbeat files in memory: on a container's overlay disk a slow write can get a worker killed.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108 - gunicorn's own files


def on_starting(server):
    # Prometheus' multiprocess files of workers from an earlier start would be added to this start's counts.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
