"""Benchmark the pipeline board and the opportunity list at 100,000 opportunities.

Run from the repository root:

    .venv/bin/python bench/sales_board.py --opportunities 100000

Creates the dedicated database ``--database`` (default ``crm_bench_sales``) when missing, migrates it,
runs ``seed_demo`` (demo users, customers and a few deals), then tops the generated opportunities
(named ``bench …``) up to ``--opportunities`` with COPY, spread over the demo reps and the default
pipeline's stages, about 60 % open. Each case is timed in-process with Django's test ``Client``
(``force_login``): warm-up requests, then ``--requests`` timed ones inside ``CaptureQueriesContext``.
Prints p50 / p95 server time, the p50 of the time in SQL and the queries per request.
"""

import argparse
import random
import statistics
import time
from datetime import timedelta

from benchsetup import setup_django


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--database", default="crm_bench_sales")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", help="Append the result rows to this file, one JSON object a line (make bench).")
    return parser.parse_args()


def prepare(target):
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from customers.models import Customer
    from sales.models import Opportunity, Pipeline

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    have = Opportunity.objects.filter(name__startswith="bench ").count()
    missing = max(target - have, 0)
    print(f"Generated opportunities present: {have:,}; loading {missing:,}")
    if not missing:
        return
    started = time.monotonic()
    rng = random.Random(5)
    users = list(User.objects.filter(username__in=["rep", "rep2", "rep3", "manager"]).values_list("pk", "team_id"))
    customers = {pk: list(Customer.objects.filter(owner_id=pk).values_list("pk", flat=True)[:2000]) for pk, _ in users}
    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(pipeline.stages.values_list("pk", "is_won", "is_lost"))
    open_stages = [s for s in stages if not s[1] and not s[2]]
    won_stage = next(s for s in stages if s[1])
    lost_stage = next(s for s in stages if s[2])
    now = timezone.now()
    today = timezone.localdate()
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY sales_opportunity (name, customer_id, pipeline_id, stage_id, status, amount, currency, "
            "expected_close_date, owner_id, team_id, next_step, close_reason, closed_at, stage_entered_at, "
            "description, version, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(missing):
                owner, team = users[n % len(users)]
                roll = rng.random()
                if roll < 0.6:
                    stage, status, closed = rng.choice(open_stages), "open", None
                elif roll < 0.8:
                    stage, status, closed = won_stage, "won", now - timedelta(days=rng.randrange(365))
                else:
                    stage, status, closed = lost_stage, "lost", now - timedelta(days=rng.randrange(365))
                created = now - timedelta(days=rng.randrange(400, 800))
                copy.write_row((
                    f"bench {have + n}", rng.choice(customers[owner]), pipeline.pk, stage[0], status,
                    rng.randrange(1, 500) * 1000, "USD" if n % 10 == 0 else "CNY",
                    today + timedelta(days=rng.randrange(-30, 180)), owner, team, "", "", closed, created, "", 1,
                    created, created,
                ))  # fmt: skip
        cursor.execute("VACUUM (ANALYZE) sales_opportunity")
    print(f"Loaded {missing:,} opportunities in {time.monotonic() - started:.1f} s")


def run_case(username, url, variants, requests, warmup):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    for n in range(warmup):
        assert client.get(url, variants[n % len(variants)]).status_code == 200
    timings, sql, queries = [], [], []
    for n in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, variants[n % len(variants)])
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        queries.append(len(captured.captured_queries))
        sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    return {
        "p50": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20, method="inclusive")[18],
        "sql": statistics.median(sql),
        "queries": max(queries),
    }


def main():
    args = parse_args()
    setup_django(args.database)
    prepare(args.opportunities)

    from django.urls import reverse

    from sales.models import Opportunity, Stage

    print(f"Totals: {Opportunity.objects.count():,} opportunities, "
          f"{Opportunity.objects.filter(status='open').count():,} open")  # fmt: skip
    board, listing = reverse("sales:opportunity-board"), reverse("sales:opportunity-list")
    stage = Stage.objects.filter(is_won=False, is_lost=False).order_by("order").first()
    pages = [{"page": n} for n in (1, 2, 3)]
    cases = [
        ("board (manager, team)", "manager", board, [{}]),
        ("board (executive, all)", "executive", board, [{}]),
        ("board only mine (rep)", "rep", board, [{}]),
        ("list (manager)", "manager", listing, pages),
        ("list (executive)", "executive", listing, pages),
        ("list stage+sort (executive)", "executive", listing, [{"stage": stage.pk, "sort": "-amount"}]),
        ("list search (manager)", "manager", listing, [{"q": "bench 12"}]),
    ]  # fmt: skip
    header = f"{'case':<30} {'p50 ms':>8} {'p95 ms':>8} {'sql p50':>8} {'queries':>8}"
    print(f"\n{args.requests} timed requests per case after {args.warmup} warm-up\n\n{header}\n{'-' * len(header)}")
    rows = []
    for label, username, url, variants in cases:
        r = run_case(username, url, variants, args.requests, args.warmup)
        print(f"{label:<30} {r['p50']:8.1f} {r['p95']:8.1f} {r['sql']:8.1f} {r['queries']:8d}", flush=True)
        # The lists are held to the list budget; the board (every open deal's column totals) to the reports'.
        budget = 300.0 if label.startswith("board") else 60.0
        rows.append({"case": f"opportunity {label}", **r, "budget": f"p95 < {budget:.0f} ms, ≤ 14 q",
                     "ok": r["p95"] < budget and r["queries"] <= 14})  # fmt: skip
    if args.json:
        from benchsetup import emit_json

        emit_json(args.json, rows)


if __name__ == "__main__":
    main()
