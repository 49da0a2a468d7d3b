"""``make bench``: every benchmark at a small size, one table of results (case, p50, p95, queries, budget,
verdict). A regression guard, not the figures of record: those are at 1,000,000 rows in ``bench/README.md``.

    .venv/bin/python bench/run_all.py                 # BENCH_ROWS (default 50,000) rows per table
    BENCH_ROWS=100000 .venv/bin/python bench/run_all.py

Each script runs in its own process against its own small database (``crm_bench_small*``, created and loaded on the
first run, reused afterwards) and appends its rows to one JSON-lines file; the exit status is 1 when any case is
over its budget. The budgets are those of 1,000,000 rows, so a small run that misses one has found a regression.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchsetup import report_rows

HERE = Path(__file__).resolve().parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def scripts(rows: int) -> list[tuple[str, list[str], str]]:
    """(script, arguments, database)."""
    return [
        ("lists.py", ["--rows", str(rows), "--database", "crm_bench_small", "--requests", "15"], "crm_bench_small"),
        ("render.py", ["--database", "crm_bench_small", "--seconds", "5", "--rounds", "2"], "crm_bench_small"),
        ("customer_list.py", ["--customers", str(rows), "--database", "crm_bench_small", "--requests", "15"],
         "crm_bench_small"),
        ("sales_board.py", ["--opportunities", str(rows), "--database", "crm_bench_small_sales", "--requests", "10"],
         "crm_bench_small_sales"),
        ("reports_dashboard.py", ["--customers", str(rows), "--opportunities", str(rows), "--requests", "6"],
         "crm_bench_small_reports"),
        ("customer_export.py", ["--customers", str(rows)], "crm_bench_small"),
        ("customer_export.py", ["--customers", str(rows), "--format", "csv"], "crm_bench_small"),
        ("customer_import.py", ["--rows", str(min(rows, 20_000)), "--repeat", "3"], "crm_bench_small_import"),
    ]  # fmt: skip


def main() -> int:
    if len(sys.argv) > 1:
        print(__doc__)
        return 0
    rows = int(os.environ.get("BENCH_ROWS", "50000"))
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as results:
        path = results.name
    failed = []
    for script, arguments, database in scripts(rows):
        env = {**os.environ, "DATABASE_URL": f"{SERVER}/{database}"}
        started = time.monotonic()
        print(f"== {script} {' '.join(arguments)}", flush=True)
        done = subprocess.run(
            [sys.executable, str(HERE / script), *arguments, "--json", path], env=env, cwd=HERE.parent, check=False
        )
        print(f"   ({time.monotonic() - started:.0f} s, exit {done.returncode})", flush=True)
        if done.returncode:
            failed.append(script)
    with open(path, encoding="utf-8") as results:
        table = [json.loads(line) for line in results if line.strip()]
    os.unlink(path)
    report_rows(table, title=f"make bench: {rows:,} rows per table")
    if failed:
        print(f"\nScripts that failed: {', '.join(failed)}")
    over = [row["case"] for row in table if row["ok"] is False]
    print(f"\n{len(over)} case(s) over budget" + (f": {', '.join(over)}" if over else ""))
    return 1 if over or failed else 0


if __name__ == "__main__":
    sys.exit(main())
