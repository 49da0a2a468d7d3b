# syntax=docker/dockerfile:1
# Two stages. "build" installs the locked dependencies first (cached until requirements/production.txt changes,
# so a code change reinstalls nothing), then adds the sources, compiles the translations and collects the
# static files. "runtime" takes the virtualenv and the built application, adds only what runs (pg_dump for
# backups) and runs as an unprivileged user.
FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=crm.settings.production
WORKDIR /app

FROM base AS build
# gettext: msgfmt for compilemessages.
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements/production.txt requirements/production.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/production.txt
COPY . .
# Settings need these to load; nothing is encrypted or signed at build time.
RUN SECRET_KEY=build-only FIELD_ENCRYPTION_KEYS=build-only FIELD_HASH_KEY=build-only BACKUP_ENCRYPTION_KEY=build-only \
    sh -c "python manage.py compilemessages --ignore=.venv && python manage.py collectstatic --no-input"

FROM base AS runtime
# postgresql-client: pg_dump/pg_restore for `manage.py backup` and `restore`; bookworm ships 15, matching
# the postgres:15 service in docker-compose.yml (pg_dump must be at least as new as the server).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 10001 crm
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# Writable by the app: uploads and backups when no object store is configured, and the metrics of the workers.
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/crm-metrics
RUN mkdir -p /app/var/media /app/var/backups /tmp/crm-metrics && chown crm /app/var/media /app/var/backups /tmp/crm-metrics
USER crm
EXPOSE 8000
# Liveness of this container: the database and Redis it needs (the full report, backups included, is /healthz).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz?only=database,redis', timeout=4)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "crm.wsgi:application"]
