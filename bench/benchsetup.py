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


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 1)


def format_row(row: dict) -> str:
    def ms(value):
        return "" if value is None else f"{value:.1f}"

    queries = "" if row.get("queries") is None else str(row["queries"])
    verdict = "–" if row["ok"] is None else "ok" if row["ok"] else "OVER"
    return (
        f"{_pad(row['case'], 44)}{ms(row.get('p50')):>9}{ms(row.get('p95')):>9}{queries:>8}  "
        f"{_pad(row['budget'], 28)}{verdict}"
    )


HEADER = f"{_pad('case', 44)}{'p50 ms':>9}{'p95 ms':>9}{'queries':>8}  {_pad('budget', 28)}verdict"


def report_rows(rows, *, title: str, json_path=None) -> None:
    """Print the result table (case, p50, p95, queries, budget, verdict); with ``json_path`` also append the rows
    to that file, one JSON object a line, for ``bench/run_all.py`` to gather into one table."""
    print(f"\n{title}\n\n{HEADER}\n{'-' * _width(HEADER)}")
    for row in rows:
        print(format_row(row), flush=True)
    if json_path:
        emit_json(json_path, rows)


def emit_json(path, rows) -> None:
    import json

    with open(path, "a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({k: v for k, v in row.items() if k not in ("slowest", "sql")}, ensure_ascii=False))
            out.write("\n")
