"""Benchmark the reports: the dashboard and a grouped custom report at volume.

Run from the repository root:

    .venv/bin/python bench/reports_dashboard.py --customers 1000000
    .venv/bin/python bench/reports_dashboard.py --customers 1000000 --check --explain

The database (``DATABASE_URL``, default ``crm_bench_reports``) is created and migrated when missing, and
``seed_demo --customers`` tops the generated customers up to ``--customers``; then the dashboard summaries
are rebuilt (timed; Celery beat does it every few minutes in production). Each case runs in-process
through Django's test ``Client`` (``force_login``): warm-up requests, then ``--requests`` timed ones inside
``CaptureQueriesContext``. It prints p50/p95 server time, the SQL share and the queries per request.
Budget: p95 under 300 ms per page, every request computing its figures (the report cache is off unless
``--cached``; grouped custom reports read the rollups of reports/rollups.py when they can).

With ``--opportunities N`` (e.g. 1000000) the generated opportunities are topped up to N with COPY (the
loader of bench/sales_board.py) and the sales cases run too: the dashboard with its sales panels, each
sales panel on its own, and a grouped opportunities report (closing month × status, base-currency sum):

    .venv/bin/python bench/reports_dashboard.py --customers 0 --opportunities 1000000
"""

import argparse
import os
import statistics
import sys
import time

from benchsetup import setup_django

BUDGET_P95_MS = 300.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="Target total of generated customers.")
    parser.add_argument("--requests", type=int, default=20, help="Timed requests per case.")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--opportunities", type=int, default=0, help="Target total of generated opportunities.")
    parser.add_argument("--check", action="store_true", help="Exit 1 when a case misses the budget.")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each case's slowest query.")
    parser.add_argument("--json", help="Append the result rows to this file, one JSON object a line (make bench).")
    parser.add_argument("--cached", action="store_true", help="Keep the per-user report cache on (off: uncached).")
    return parser.parse_args()


def prepare(target):
    from django.core.management import call_command
    from django.db import connection

    from customers.models import Customer

    call_command("migrate", verbosity=0)
    have = Customer.objects.filter(created_by__isnull=True).count()
    missing = max(target - have, 0)
    print(f"Generated customers present: {have:,}; loading {missing:,}")
    call_command("seed_demo", customers=missing, verbosity=0)
    if missing:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) customers_customer")
    print(f"Totals: {Customer.objects.count():,} customers")


def sales_cases():
    """The sales cases at volume: the dashboard (now with the sales panels) and a grouped opportunities report."""
    by_close_month = {
        "dataset": "opportunities",
        "group_1": "closed_at",
        "trunc_1": "month",
        "group_2": "status",
        "agg_1": "count",
        "agg_2": "sum",
        "agg_field_2": "amount_base",
        "chart": "bar",
    }
    by_stage = {"dataset": "opportunities", "group_1": "stage", "agg_1": "count", "agg_2": "sum",
                "agg_field_2": "amount_base"}  # fmt: skip
    return [
        ("dashboard with sales panels (executive)", "executive", "reports:dashboard", {}),
        ("dashboard with sales panels (manager)", "manager", "reports:dashboard", {}),
        ("opportunities close month×status (exec)", "executive", "reports:report-builder", by_close_month),
        ("opportunities close month×status (mgr)", "manager", "reports:report-builder", by_close_month),
        ("opportunities by stage, sum (executive)", "executive", "reports:report-builder", by_stage),
    ]


def refresh_summaries():
    """Rebuild the summaries the panels read, as Celery beat does every few minutes, and time each."""
    from reports.summaries import customer_summaries_refresh, sales_summaries_refresh

    for label, refresh in (("Sales", sales_summaries_refresh), ("Customer", customer_summaries_refresh)):
        started = time.perf_counter()
        rows = refresh()
        print(f"{label} summaries rebuilt: {rows:,} rows in {(time.perf_counter() - started) * 1000:,.0f} ms")


def time_panels(username, requests):
    """Each sales panel's compute on its own (median ms and queries), to see which one costs what."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from reports.dashboard_filters import DashboardFilters
    from reports.registry import panels_for

    print(f"\nSales panels one by one ({username}, 12 months, {requests} runs each)")
    for panel in panels_for(User.objects.get(username=username)):
        if panel.section != "sales":
            continue
        timings, queries = [], 0
        for _ in range(requests):
            user = User.objects.get(username=username)  # a fresh user: no per-request memo
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                panel.compute(user, DashboardFilters.default())
                timings.append((time.perf_counter() - started) * 1000)
            queries = len(captured.captured_queries)
        print(
            f"  {panel.key:<20} p50 {statistics.median(timings):8.1f} ms  max {max(timings):8.1f} ms  {queries} queries"
        )


def cases():
    """(label, username, url name, query parameters)."""
    grouped = {
        "dataset": "customers",
        "group_1": "created_at",
        "trunc_1": "month",
        "group_2": "lifecycle_stage",
        "agg_1": "count",
        "agg_2": "avg",
        "agg_field_2": "quality_score",
        "chart": "bar",
    }
    by_source = {
        "dataset": "customers",
        "group_1": "source",
        "agg_1": "count",
        "agg_2": "avg",
        "agg_field_2": "churn_score",
    }
    return [
        ("dashboard, 12 months (executive)", "executive", "reports:dashboard", {}),
        ("dashboard, 12 months (manager)", "manager", "reports:dashboard", {}),
        ("dashboard, 30 days (executive)", "executive", "reports:dashboard", {"period": "30d"}),
        ("grouped report month×stage (executive)", "executive", "reports:report-builder", grouped),
        ("grouped report month×stage (manager)", "manager", "reports:report-builder", grouped),
        ("grouped report by source (executive)", "executive", "reports:report-builder", by_source),
    ]


def run_case(username, url_name, params, requests, warmup):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    url = reverse(url_name)
    for _ in range(warmup):
        assert client.get(url, params).status_code == 200
    timings, sql_times, queries, slowest = [], [], [], {"time": "0", "sql": ""}
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        queries.append(len(captured.captured_queries))
        sql_times.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        slowest = max([slowest, *captured.captured_queries], key=lambda q: float(q["time"]))
    return {
        "p50": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20, method="inclusive")[18] if len(timings) > 1 else timings[0],
        "sql": statistics.median(sql_times),
        "queries": max(queries),
        "slowest": slowest["sql"],
    }


def main():
    args = parse_args()
    if not args.cached:
        os.environ["REPORT_CACHE_SECONDS"] = "0"
    setup_django("crm_bench_reports")
    prepare(args.customers)
    if args.opportunities:
        from sales_board import prepare as load_opportunities

        load_opportunities(args.opportunities)
    refresh_summaries()
    header = f"{'case':<42} {'p50 ms':>8} {'p95 ms':>8} {'sql p50':>8} {'queries':>8}"
    print(
        f"\n{args.requests} timed requests per case after {args.warmup} warm-up; budget p95 < {BUDGET_P95_MS:.0f} ms\n"
    )
    print(header)
    print("-" * len(header))
    missed, plans, rows = [], [], []
    for label, username, url_name, params in (sales_cases() if args.opportunities else []) + cases():
        result = run_case(username, url_name, params, args.requests, args.warmup)
        over = result["p95"] >= BUDGET_P95_MS
        rows.append({"case": label, **result, "budget": f"p95 < {BUDGET_P95_MS:.0f} ms", "ok": not over})
        if over:
            missed.append(label)
        plans.append((label, result["slowest"]))
        print(
            f"{label:<42} {result['p50']:8.1f} {result['p95']:8.1f} {result['sql']:8.1f} {result['queries']:8d}"
            f"{'  OVER BUDGET' if over else ''}",
            flush=True,
        )
    if args.json:
        from benchsetup import emit_json

        emit_json(args.json, rows)
    if args.opportunities:
        time_panels("executive", max(args.requests // 2, 3))
    if args.explain:
        from django.db import connection

        for label, sql in plans:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                print(f"\n=== {label}\n{sql}\n" + "\n".join(row[0] for row in cursor.fetchall()))
    print("\n" + (f"Over budget: {', '.join(missed)}" if missed else "All cases within budget."))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
