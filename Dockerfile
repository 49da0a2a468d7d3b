FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=crm.settings.production
# postgresql-client: pg_dump/pg_restore for `manage.py backup` and `restore`; bookworm ships 15, matching
# the postgres:15 service in docker-compose.yml (pg_dump must be at least as new as the server).
RUN apt-get update && apt-get install -y --no-install-recommends gettext postgresql-client && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY crm crm
COPY accounts accounts
COPY customers customers
COPY sales sales
COPY marketing marketing
COPY service service
COPY reports reports
COPY security security
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only FIELD_ENCRYPTION_KEYS=build-only FIELD_HASH_KEY=build-only \
    python manage.py collectstatic --no-input \
    && useradd --create-home crm && mkdir -p /app/var/media /app/var/backups && chown -R crm /app/var
USER crm
EXPOSE 8000
CMD ["gunicorn", "crm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
