"""Benchmark the customer list page: server time and query count at volume.

Run from the repository root:

    .venv/bin/python bench/customer_list.py --customers 100000
    .venv/bin/python bench/customer_list.py --customers 1000000 --check

What it does:

1. Creates the dedicated database ``--database`` (default ``crm_bench``) when it is missing, migrates it
   and runs ``seed_demo`` so the demo users exist. Generated customers (the ones ``seed_demo --customers``
   bulk-loads, recognisable by an empty ``created_by``) are counted and only the missing amount up to
   ``--customers`` is loaded, so going from 100,000 to 1,000,000 loads 900,000 more. After a load the
   customer and contact tables are vacuumed and analysed, as autovacuum would do on a live system.
2. Runs every case in-process through Django's test ``Client`` (``force_login``, no network), first a few
   warm-up requests, then ``--requests`` timed ones inside ``CaptureQueriesContext``.
3. Prints one row per case: p50 and p95 server time in ms, the p50 of the time spent in SQL (the rest is
   Python: middleware, filter form, template), SQL queries per request, and the rows matched as the page
   reports them (capped at ``LIST_COUNT_LIMIT``, shown as "10,000+").

With ``--explain`` each case's slowest query is also run under ``EXPLAIN (ANALYZE, BUFFERS)`` and the plan
printed after the table. With ``--check`` the exit status is 1 when any case misses the design budget: p95
under 60 ms and at most 12 queries per request (at 1,000,000 customers).

Environment: ``BENCH_POSTGRES`` (default ``postgres://postgres@127.0.0.1:5432``) is the server the
database lives on; ``REDIS_URL`` defaults to ``redis://127.0.0.1:6379/3``. ``DEBUG`` is off by default
so templates render as in production; set ``DEBUG=1`` to compare.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

BUDGET_P95_MS = 60.0
BUDGET_QUERIES = 12
PER_PAGE = 25  # what crm.pagination.paginate uses


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000, help="Target total of generated customers.")
    parser.add_argument("--database", default="crm_bench", help="Dedicated database, created when missing.")
    parser.add_argument("--requests", type=int, default=50, help="Timed requests per case.")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per case before timing.")
    parser.add_argument("--check", action="store_true", help="Exit 1 when a case misses the budget.")
    parser.add_argument("--explain", action="store_true", help="Print EXPLAIN ANALYZE of each case's slowest query.")
    parser.add_argument("--json", help="Append the result rows to this file, one JSON object a line (make bench).")
    return parser.parse_args()


def setup_django(database):
    server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    os.environ["DATABASE_URL"] = f"{server}/{database}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    create_database(server, database)

    import django

    django.setup()


def create_database(server, database):
    """CREATE DATABASE when missing; the maintenance database ``postgres`` is used to ask."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            print(f"Created database {database}")


def prepare_data(target):
    """Migrate, seed the demo users and top the generated customers up to ``target``."""
    from django.core.management import call_command
    from django.db import connection

    from customers.models import Contact, Customer

    call_command("migrate", verbosity=0)
    have = Customer.objects.filter(created_by__isnull=True).count()
    missing = max(target - have, 0)
    print(f"Generated customers present: {have:,}; loading {missing:,}")
    started = time.monotonic()
    call_command("seed_demo", customers=missing, verbosity=0)
    if missing:
        loaded = time.monotonic() - started
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) customers_customer")
            cursor.execute("VACUUM (ANALYZE) customers_contact")
        print(f"Load: {loaded:.1f} s for {missing:,} customers; VACUUM ANALYZE: {time.monotonic() - started:.1f} s")
    print(f"Totals: {Customer.objects.count():,} customers, {Contact.objects.count():,} contacts")


def cases():
    """(label, username, list of query-parameter dicts cycled through the requests)."""
    pages = [{"page": n} for n in (1, 2, 3, 4, 5)]
    return [
        ("list (manager)", "manager", pages),
        ("list (executive)", "executive", pages),
        ("list sort=name (manager)", "manager", [{**p, "sort": "name"} for p in pages]),
        ("search 'acme' (manager)", "manager", [{"q": "acme"}]),
        ("search 'acme' (executive)", "executive", [{"q": "acme"}]),
        ("search 'logistics' (executive)", "executive", [{"q": "logistics"}]),
        ("search '北京华信' (manager)", "manager", [{"q": "北京华信"}]),
        ("search '北京华信' (executive)", "executive", [{"q": "北京华信"}]),
        ("search '科技有限' (executive)", "executive", [{"q": "科技有限"}]),
        ("search '王' (manager)", "manager", [{"q": "王"}]),
        ("search '王' (executive)", "executive", [{"q": "王"}]),
    ]


def rows_matched(user, params):
    """The row count the page shows, through the same selector and paginator the view uses."""
    from django.conf import settings

    from crm.pagination import CappedPaginator
    from customers import selectors

    count = CappedPaginator(selectors.customer_list(user=user, data=params).qs, PER_PAGE).count
    limit = settings.LIST_COUNT_LIMIT
    return f"{limit:,}+" if count > limit else f"{count:,}"


def run_case(username, variants, requests, warmup):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    url = reverse("customers:customer-list")
    for n in range(warmup):
        response = client.get(url, variants[n % len(variants)])
        assert response.status_code == 200, response.status_code
    timings, sql_times, queries, slowest = [], [], [], {"time": "0"}
    for n in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, variants[n % len(variants)])
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(captured.captured_queries))
        slowest = max([slowest, *captured.captured_queries], key=lambda q: float(q["time"]))
        sql_times.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    return {
        "p50": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20, method="inclusive")[18],
        "sql": statistics.median(sql_times),
        "queries": max(queries),
        "rows": rows_matched(user, variants[0]),
        "slowest": slowest["sql"],
    }


def explain(sql):
    """The plan of a captured query (its parameters are already inlined by the driver)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main():
    args = parse_args()
    setup_django(args.database)
    prepare_data(args.customers)

    print(f"\n{args.requests} timed requests per case after {args.warmup} warm-up; budget p95 < "
          f"{BUDGET_P95_MS:.0f} ms, <= {BUDGET_QUERIES} queries\n")  # fmt: skip
    header = f"{'case':<34} {'p50 ms':>8} {'p95 ms':>8} {'sql p50':>8} {'queries':>8} {'rows matched':>13}"
    print(header)
    print("-" * len(header))
    missed, plans, rows = [], [], []
    for label, username, variants in cases():
        result = run_case(username, variants, args.requests, args.warmup)
        over = result["p95"] >= BUDGET_P95_MS or result["queries"] > BUDGET_QUERIES
        rows.append({"case": f"customer {label}", **result, "ok": not over,
                     "budget": f"p95 < {BUDGET_P95_MS:.0f} ms, ≤ {BUDGET_QUERIES} q"})  # fmt: skip
        if over:
            missed.append(label)
        plans.append((label, result["slowest"]))
        # Chinese characters are two columns wide in a terminal; pad by display width.
        pad = 34 - sum(2 if ord(c) > 0x2E80 else 1 for c in label)
        print(
            f"{label}{' ' * max(pad, 1)} {result['p50']:8.1f} {result['p95']:8.1f} {result['sql']:8.1f} "
            f"{result['queries']:8d} {result['rows']:>13}{'  OVER BUDGET' if over else ''}",
            flush=True,
        )
    if args.json:
        from benchsetup import emit_json

        emit_json(args.json, rows)
    if args.explain:
        for label, sql in plans:
            print(f"\n=== {label}: slowest query\n{sql}\n{explain(sql)}")
    print()
    if missed:
        print(f"{len(missed)} case(s) over budget: {', '.join(missed)}")
    else:
        print("All cases within budget.")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
