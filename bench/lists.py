"""Benchmark every list page and its search at volume: contacts, customers (search by scope), leads,
opportunities, tickets and communication records.

Run from the repository root:

    .venv/bin/python bench/lists.py --rows 100000
    .venv/bin/python bench/lists.py --rows 1000000 --check          # exit 1 when a case misses its budget
    .venv/bin/python bench/lists.py --rows 1000000 --explain        # plus the slowest query's plan per case

The database ``--database`` (default ``crm_bench``, shared with ``customer_list.py``) is created and migrated when
missing; ``seed_demo`` adds the demo users, ``seed_demo --customers`` tops the generated customers up to ``--rows``
(two contacts each) and ``bench/volume.py`` tops leads, opportunities, tickets and communication records up to
``--rows`` each, generated inside PostgreSQL. Each case is timed in-process through Django's test ``Client``
(``force_login``) with ``CaptureQueriesContext``, as in ``customer_list.py``.

Budgets (issue 18): a list page p95 < 60 ms, a search p95 < 100 ms, at most 12 queries; a narrower scope is not
slower than a wider one (checked as its own row: rep p50 ≤ manager p50 × 1.1 + 5 ms).
"""

import argparse
import statistics
import sys
import time

from benchsetup import report_rows, setup_django

LIST_P95_MS = 60.0
SEARCH_P95_MS = 100.0
MAX_QUERIES = 12


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Generated customers, and rows of each other list.")
    parser.add_argument("--database", default="crm_bench")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--json", help="Append the result rows to this file (make bench).")
    parser.add_argument("--no-load", action="store_true", help="Time the data as it is (e.g. with older code).")
    parser.add_argument("--only", help="Only the cases whose label contains this text.")
    return parser.parse_args()


def prepare(target):
    import volume
    from django.core.management import call_command
    from django.db import connection

    from customers.models import Customer

    call_command("migrate", verbosity=0)
    have = Customer.objects.filter(created_by__isnull=True).count()
    missing = max(target - have, 0)
    print(f"Generated customers present: {have:,}; loading {missing:,}", flush=True)
    call_command("seed_demo", customers=missing, verbosity=0)
    with connection.cursor() as cursor:
        # As autovacuum would have done by now: after a load, or after migrations that rewrote or filled columns.
        cursor.execute("VACUUM (ANALYZE) customers_customer")
        cursor.execute("VACUUM (ANALYZE) customers_contact")
    volume.top_up(target)


def cases():
    from django.urls import reverse

    contacts = reverse("customers:contact-list")
    customers = reverse("customers:customer-list")
    leads = reverse("sales:lead-list")
    opportunities = reverse("sales:opportunity-list")
    tickets = reverse("service:ticket-list")
    communications = reverse("customers:communication-list")
    pages = [{"page": n} for n in (1, 2, 3)]
    # (label, user, url, parameter sets cycled through, kind: list or search)
    return [
        ("customer list (manager)", "manager", customers, pages, "list"),
        ("contact list (manager)", "manager", contacts, pages, "list"),
        ("contact list (executive)", "executive", contacts, pages, "list"),
        ("contact list (rep)", "rep", contacts, pages, "list"),
        ("contact search 王伟 (manager)", "manager", contacts, [{"q": "王伟"}], "search"),
        ("contact search 建华 (executive)", "executive", contacts, [{"q": "建华"}], "search"),
        ("contact search smith (manager)", "manager", contacts, [{"q": "smith"}], "search"),
        ("customer search acme (rep)", "rep", customers, [{"q": "acme"}], "search"),
        ("customer search acme (manager)", "manager", customers, [{"q": "acme"}], "search"),
        ("customer search 金桥 (manager)", "manager", customers, [{"q": "金桥"}], "search"),
        ("customer search 云杉 (executive)", "executive", customers, [{"q": "云杉"}], "search"),
        ("customer search 华 (manager)", "manager", customers, [{"q": "华"}], "search"),
        ("lead list (manager)", "manager", leads, pages, "list"),
        ("lead search 金桥 (manager)", "manager", leads, [{"q": "金桥"}], "search"),
        ("opportunity list (manager)", "manager", opportunities, pages, "list"),
        ("opportunity list (executive)", "executive", opportunities, pages, "list"),
        ("ticket list, all (service)", "service", tickets, [{**p, "view": "all"} for p in pages], "list"),
        ("ticket search 物流 (service)", "service", tickets, [{"q": "物流", "view": "all"}], "search"),
        ("communication list (manager)", "manager", communications, pages, "list"),
        ("communication list (executive)", "executive", communications, pages, "list"),
        # A whole company name (a few customers) and a common word (60,000 customers) in the customer filter.
        (
            "communication list, customer 北京华信科技有限公司",
            "manager",
            communications,
            [{"customer": "北京华信科技有限公司"}],
            "search",
        ),
        ("communication list, customer 物流 (manager)", "manager", communications, [{"customer": "物流"}], "search"),
        ("contact search 建华 (rep)", "rep", contacts, [{"q": "建华"}], "search"),
    ]


class Stopwatch:
    """Time this process spends drawing templates (the outermost render only: an include or a tag's own
    render_to_string is part of its page's) and waiting on SQL (every statement, timed as it runs: the query log keeps
    whole milliseconds only)."""

    def __init__(self):
        self.template = self.sql = 0.0
        self._depth = 0

    def __enter__(self):
        from django.db import connection
        from django.template.backends.django import Template

        self._render, watch = Template.render, self

        def render(template, *args, **kwargs):
            watch._depth += 1
            started = time.perf_counter()
            try:
                return watch._render(template, *args, **kwargs)
            finally:
                watch._depth -= 1
                if not watch._depth:
                    watch.template += (time.perf_counter() - started) * 1000

        Template.render = render
        self._sql = connection.execute_wrapper(self._time_sql)
        self._sql.__enter__()
        return self

    def _time_sql(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql += (time.perf_counter() - started) * 1000

    def __exit__(self, *exc):
        from django.template.backends.django import Template

        self._sql.__exit__(*exc)
        Template.render = self._render


def run_case(username, url, variants, requests, warmup):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    for n in range(warmup):
        response = client.get(url, variants[n % len(variants)])
        assert response.status_code == 200, (url, response.status_code)
    timings, cpu, sql, template, queries, slowest = [], [], [], [], [], {"time": "0", "sql": ""}
    for n in range(requests):
        with CaptureQueriesContext(connection) as captured, Stopwatch() as watch:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, variants[n % len(variants)])
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
        queries.append(len(captured.captured_queries))
        sql.append(watch.sql)
        template.append(watch.template)
        slowest = max([slowest, *captured.captured_queries], key=lambda q: float(q["time"]))
    return {
        "p50": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20, method="inclusive")[18] if len(timings) > 1 else timings[0],
        "sql": statistics.median(sql),
        "template": statistics.median(template),
        # This process's CPU time: Python (middleware, view, templates) and the driver's share of the SQL.
        "cpu": statistics.median(cpu),
        "queries": max(queries),
        "slowest": slowest["sql"],
    }


def main():
    args = parse_args()
    setup_django(args.database)
    if not args.no_load:
        prepare(args.rows)
    rows, plans, by_label = [], [], {}
    for label, username, url, variants, kind in cases():
        if args.only and args.only not in label:
            continue
        result = run_case(username, url, variants, args.requests, args.warmup)
        budget = LIST_P95_MS if kind == "list" else SEARCH_P95_MS
        ok = result["p95"] < budget and result["queries"] <= MAX_QUERIES
        by_label[label] = result
        rows.append({"case": label, **result, "budget": f"p95 < {budget:.0f} ms, ≤ {MAX_QUERIES} q", "ok": ok})
        plans.append((label, result["slowest"]))
    rep, manager = by_label.get("customer search acme (rep)"), by_label.get("customer search acme (manager)")
    if rep and manager:
        narrower_ok = rep["p50"] <= manager["p50"] * 1.1 + 5
        rows.append({"case": "acme: rep p50 vs manager p50", "p50": rep["p50"], "p95": manager["p50"], "sql": None,
                     "queries": None, "budget": "rep ≤ manager", "ok": narrower_ok})  # fmt: skip
    report_rows(rows, title=f"lists at {args.rows:,} rows", json_path=args.json)
    print(
        "\nWhere the time goes (p50 ms): Python CPU of the request in this process, of it drawing templates, and time"
        " waiting on SQL (issue 18: template work ≤ SQL work)"
    )
    for row in rows:
        if row.get("cpu") is not None:
            verdict = "ok" if row["template"] <= row["sql"] else "OVER"
            print(
                f"  {row['case']}: python {row['cpu']:.1f}, templates {row['template']:.1f}, sql {row['sql']:.1f}"
                f"  {verdict}"
            )
    if args.explain:
        from django.db import connection

        for label, sql in plans:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\n=== {label}: slowest query\n{sql}\n{plan}")
    return 1 if args.check and not all(row["ok"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
