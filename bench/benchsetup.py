"""Shared start-up for the benchmark scripts: a dedicated database, then Django."""

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def create_database(url):
    import psycopg
    from psycopg import sql

    server, database = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            print(f"Created database {database}")


def setup_django(default_database: str):
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_database}")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench" / "media"))
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(ROOT))
    create_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
