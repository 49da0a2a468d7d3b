"""Benchmark the customer export: 1,000,000 rows to XLSX in constant memory.

Run from the repository root:

    .venv/bin/python bench/customer_export.py                       # XLSX, every customer
    .venv/bin/python bench/customer_export.py --format csv --check

What it does:

1. Uses the database in ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/crm_bench``, the one
   ``bench/customer_list.py`` fills), creating and migrating it when missing and topping the generated customers
   up to ``--customers`` with ``seed_demo --customers`` (several minutes for 1,000,000 the first time).
2. Runs the export the way the background job does, without Celery: a ``Job`` for the user ``executive``
   (record scope: all), then ``customers.services.transfer.customer_export_run`` — the list's queryset with its
   default sort, ``values_list`` read through a server-side cursor in chunks of 2,000, written with openpyxl's
   write-only mode, progress on the side, the file stored on the job and the export written to the behaviour log.
3. Prints the rows, the time, the file size and the peak resident memory of the process
   (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), also as the growth over the memory before the export.

Budget (design): a 1,000,000-row export under 250 MB of memory. ``--check`` exits 1 when over.
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
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--check", action="store_true", help="Exit 1 when over the memory budget.")
    parser.add_argument("--json", help="Append the result rows to this file, one JSON object a line (make bench).")
    return parser.parse_args()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main():
    args = parse_args()
    setup_django("crm_bench")
    from django.core.management import call_command

    from accounts.models import User
    from crm.jobs import job_create
    from crm.models import Job
    from customers.importing import export_fields
    from customers.models import Customer
    from customers.services import transfer

    call_command("migrate", verbosity=0)
    have = Customer.objects.filter(created_by__isnull=True).count()
    if have < args.customers or not User.objects.filter(username="executive").exists():
        print(f"Generated customers present: {have:,}; loading {max(args.customers - have, 0):,}")
        call_command("seed_demo", customers=max(args.customers - have, 0), verbosity=0)
    user = User.objects.get(username="executive")
    fields = [f.key for f in export_fields()]
    job = job_create(
        user=user,
        kind=Job.Kind.EXPORT,
        dataset="customers",
        options={"format": args.format, "fields": fields, "query": "", "filter": {}, "language": "zh-hans"},
    )
    before = rss_mb()
    print(f"Exporting {len(fields)} columns as {args.format}; peak RSS before: {before:.0f} MB")
    started = time.monotonic()
    job = transfer.customer_export_run(job_id=job.pk)
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
            "case": f"customer export {args.format}, {rows:,} rows: {rate:,.0f} rows/s, {peak:.0f} MB",
            "p50": elapsed * 1000, "p95": None, "queries": None,
            "budget": f"≥ {BUDGET_ROWS_PER_S:,} rows/s, < {BUDGET_MB} MB", "ok": verdict,
        }])  # fmt: skip
    if args.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
