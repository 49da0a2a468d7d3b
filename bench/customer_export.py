"""Benchmark the customer export: 1,000,000 rows to XLSX in constant memory.

Run from the repository root:

    .venv/bin/python bench/customer_export.py                       # XLSX, every customer
    .venv/bin/python bench/customer_export.py --format csv --check
    .venv/bin/python bench/customer_export.py --dataset opportunities       # or tickets, behaviour_log
    .venv/bin/python bench/customer_export.py --dataset behaviour_log --format pdf --log-rows 100000

What it does:

1. Uses the database in ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/crm_bench``, the one
   ``bench/customer_list.py`` fills), creating and migrating it when missing and topping the generated customers
   up to ``--customers`` with ``seed_demo --customers`` (several minutes for 1,000,000 the first time).
2. Runs the export the way the background job does, without Celery: a ``Job`` for the user ``executive``
   (record scope: all), then ``customers.services.transfer.customer_export_run`` — the list's queryset with its
   default sort, every row's cells made by PostgreSQL and streamed with ``COPY`` into the workbook or CSV
   (``crm.importexport.sqlexport``), progress on the side, the file stored on the job and the export written to
   the behaviour log.
3. Prints the rows, the time, the file size and the peak resident memory of the process
   (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), also as the growth over the memory before the export.

``--dataset`` exports opportunities (``executive``), tickets (``service``, view "all") or the behaviour log
(``admin``, every entry; ``--log-rows N`` first tops the log up to N generated entries, in SQL) the same way, through
each app's ``DatasetExport.run``; ``--format pdf`` is the behaviour log's PDF job.

Budget (design): a 1,000,000-row export at 15,000 rows a second or more, under 250 MB of memory. ``--check`` exits
1 when over.
"""

import argparse
import resource
import sys
import time

from benchsetup import setup_django

BUDGET_MB = 250
BUDGET_ROWS_PER_S = 15_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="Generated customers to have at least.")
    parser.add_argument("--format", choices=["xlsx", "csv", "pdf"], default="xlsx")
    parser.add_argument(
        "--dataset", choices=["customers", "opportunities", "tickets", "behaviour_log"], default="customers"
    )
    parser.add_argument(
        "--python-writers", action="store_true", help="Cells made in Python, as before PostgreSQL wrote them."
    )
    parser.add_argument("--log-rows", type=int, default=0, help="Top the behaviour log up to this many entries.")
    parser.add_argument("--check", action="store_true", help="Exit 1 when over the memory budget.")
    parser.add_argument("--json", help="Append the result rows to this file, one JSON object a line (make bench).")
    return parser.parse_args()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def runner(dataset):
    """(the job's service, the user who exports, the job's options)."""
    if dataset == "customers":
        from customers.importing import export_fields
        from customers.services import transfer

        return transfer.customer_export_run, "executive", {"fields": [f.key for f in export_fields()], "query": ""}
    if dataset == "opportunities":
        from sales.services.exports import opportunity_export_run

        return opportunity_export_run, "executive", {"query": ""}
    if dataset == "tickets":
        from service.services.exports import ticket_export_run

        return ticket_export_run, "service", {"query": "view=all"}
    from security.services.log_export import FIELDS, behaviour_log_export_run

    return behaviour_log_export_run, "admin", {"query": "", "fields": [f.key for f in FIELDS]}


def top_up_log(rows):
    """Generated behaviour-log entries (``bench-log`` user names) up to ``rows``, inserted in SQL."""
    from django.db import connection

    from crm.models import BehaviourLog

    have = BehaviourLog.objects.count()
    if have >= rows:
        return
    print(f"Behaviour log: {have:,} entries; adding {rows - have:,}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {BehaviourLog._meta.db_table}
                (at, username, action, module, object_type, object_id, object_repr, ip, detail)
            SELECT now() - make_interval(secs => g * 37), 'bench-log-' || (g %% 50),
                   (ARRAY['login', 'create', 'update', 'delete', 'export', 'view'])[1 + g %% 6],
                   (ARRAY['customers', 'sales', 'service', 'security'])[1 + g %% 4], 'customer', g::text,
                   '上海华信科技有限公司 ' || g || CASE WHEN g %% 97 = 0 THEN ' <b>&amp; "x"</b>' ELSE '' END,
                   ('10.0.' || (g %% 250) || '.' || (g %% 200))::inet, '{{}}'::jsonb
            FROM generate_series(1, %s) AS g""",  # noqa: S608
            [rows - have],
        )


def main():
    args = parse_args()
    setup_django("crm_bench")
    from django.core.management import call_command

    from accounts.models import User
    from crm.jobs import job_create
    from crm.models import Job
    from customers.models import Customer

    call_command("migrate", verbosity=0)
    have = Customer.objects.filter(created_by__isnull=True).count()
    if have < args.customers or not User.objects.filter(username="executive").exists():
        print(f"Generated customers present: {have:,}; loading {max(args.customers - have, 0):,}")
        call_command("seed_demo", customers=max(args.customers - have, 0), verbosity=0)
    if args.log_rows:
        top_up_log(args.log_rows)
    if args.python_writers:
        from crm.importexport import sqlexport

        sqlexport.copy_statement = lambda *args, **kwargs: None
    run, username, options = runner(args.dataset)
    user = User.objects.get(username=username)
    job = job_create(
        user=user,
        kind=Job.Kind.EXPORT,
        dataset=args.dataset,
        options={"format": args.format, "filter": {}, "language": "zh-hans", **options},
    )
    before = rss_mb()
    print(f"Exporting {args.dataset} as {args.format}; peak RSS before: {before:.0f} MB")
    started = time.monotonic()
    job = run(job_id=job.pk)
    elapsed = time.monotonic() - started
    peak = rss_mb()
    size = job.output_file.size / 1e6 if job.output_file else 0
    print(
        f"Export: {job.result.get('rows', 0):,} rows in {elapsed:.1f} s ({job.result.get('rows', 0) / elapsed:,.0f} "
        f"rows/s), file {size:.1f} MB; peak RSS {peak:.0f} MB (+{peak - before:.0f} MB during the export)"
    )
    if job.output_file:
        job.output_file.delete()
    job.delete()
    rows = job.result.get("rows", 0)
    rate = rows / elapsed if elapsed else 0
    ok = peak < BUDGET_MB and rate >= BUDGET_ROWS_PER_S
    # A small export is mostly the job's fixed cost (the job row, the file, the audit mail): its rate says nothing
    # about the budget's, so below 100,000 rows only the memory budget gives a verdict.
    verdict = ok if rows >= 100_000 else (None if peak < BUDGET_MB else False)
    print(f"Budget {BUDGET_MB} MB, {BUDGET_ROWS_PER_S:,} rows/s: {'within' if ok else 'OVER'}")
    if args.json:
        from benchsetup import emit_json

        emit_json(args.json, [{
            "case": f"{args.dataset} export {args.format}, {rows:,} rows: {rate:,.0f} rows/s, {peak:.0f} MB",
            "p50": elapsed * 1000, "p95": None, "queries": None,
            "budget": f"≥ {BUDGET_ROWS_PER_S:,} rows/s, < {BUDGET_MB} MB", "ok": verdict,
        }])  # fmt: skip
    if args.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
