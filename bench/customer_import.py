"""Benchmark the customer import: a 100,000-row XLSX with validation and duplicate checks.

Run from the repository root:

    .venv/bin/python bench/customer_import.py                 # 100,000 rows
    .venv/bin/python bench/customer_import.py --rows 20000 --profile

What it does:

1. Uses the dedicated database in ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/crm_bench_import``),
   creating it when missing, migrating it and running ``seed_demo`` for the demo users. A user
   ``bench_importer`` (sales manager, team East sales) does the import; ``--existing`` customers (default
   5,000) owned by the team are kept in the database as the records the file's duplicates match.
2. Generates the file once (``var/bench/customers-<rows>.xlsx``): Chinese and English company names,
   phones written in several styles, e-mails, choice columns by Chinese label, English label or code, owners,
   tags, a contact with a mobile — with about 2% of rows duplicating an existing customer (same phone in
   another format or same e-mail in other case) and 1% repeating an earlier row of the file.
3. Deletes what earlier runs imported, then times ``customers.services.transfer.customers_import`` (the
   engine's full path: read the XLSX, clean and validate every cell, one duplicate query per batch,
   ``bulk_create`` with history, tags and contacts) with the duplicate policy ``skip``. No Celery.

Budget (design): under 15 s for 100,000 rows. ``--check`` exits 1 when over.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from benchsetup import ROOT, setup_django

BUDGET_S = 15.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=5_000, help="Customers already there to match duplicates.")
    parser.add_argument("--profile", action="store_true", help="Print the top of a cProfile of the import.")
    parser.add_argument("--check", action="store_true", help="Exit 1 when over the budget (the fastest run).")
    parser.add_argument("--repeat", type=int, default=1, help="Time the import this many times; min and median.")
    parser.add_argument("--json", help="Append the result rows to this file, one JSON object a line (make bench).")
    return parser.parse_args()


HEADERS = ["客户名称", "类型", "客户等级", "客户阶段", "来源", "行业", "联系电话", "邮箱", "网站", "地址", "负责人",
           "标签", "联系人", "手机", "备注"]  # fmt: skip
DISTRICTS = ["朝阳", "海淀", "浦东", "徐汇", "南山", "福田", "西湖", "天河", "武侯", "鼓楼", "姑苏", "江汉"]
STREETS = ["人民路", "中山路", "解放路", "建设路", "科技园路", "长江路", "滨江大道", "和平街"]
LEVELS = ["A", "B – important", "C – 普通客户", "D", "重点客户", "c"]
STAGES = ["潜在客户", "customer", "VIP 客户", "Prospect", "客户"]
SOURCES = ["网站", "Referral", "展会", "event", "广告", "电话陌拜", "partner", ""]
INDUSTRIES = ["制造业", "Retail", "finance", "信息技术", "Logistics", "教育", ""]


def phone_styles(rng, digits):
    """One number, written the ways people write it."""
    area, rest = digits[:3], digits[3:]
    return rng.choice([digits, f"{area}-{rest}", f"+86 {area[1:]} {rest[:4]} {rest[4:]}", f"({area}) {rest}"])


def generate(path, rows, existing, seed=2026):
    from openpyxl import Workbook

    from customers.demo import CITIES, EN_NAMES, EN_SUFFIXES, EN_TRADES, SUFFIXES, TRADES, WORDS, _mobile, _person_name

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    sheet.append(HEADERS)
    written = []
    for n in range(rows):
        roll = rng.random()
        if roll < 0.01 and written:
            sheet.append(rng.choice(written))  # a repeat of an earlier row
            continue
        if rng.random() < 0.7:
            name = f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(TRADES)}第{n}分{rng.choice(SUFFIXES)}"
        else:
            name = f"{rng.choice(EN_NAMES)} {rng.choice(EN_TRADES)} {n} {rng.choice(EN_SUFFIXES)}"
        phone = phone_styles(rng, f"0{rng.randint(10, 99)}{6_000_000 + n:08d}")
        email = f"info{n}@{rng.choice(['example.com', 'example.cn', 'mail.example.org'])}"
        if roll < 0.03 and existing:
            match = rng.choice(existing)  # a duplicate of a customer already in the database
            if rng.random() < 0.5:
                phone = phone_styles(rng, match[0])
            else:
                email = match[1].upper()
        row = [
            name,
            rng.choice(["公司", "company", "个人", "individual", ""]),
            rng.choice(LEVELS),
            rng.choice(STAGES),
            rng.choice(SOURCES),
            rng.choice(INDUSTRIES),
            phone,
            email,
            rng.choice(["", f"www.site{n}.example.com", f"https://site{n}.example.cn"]),
            f"{rng.choice(CITIES)}市{rng.choice(DISTRICTS)}区{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            rng.choice(["", "bench_importer", "rep", "rep2", "manager"]),
            rng.choice(["", "重点客户", "老客户, 展会", "Partner", "待跟进；重点客户"]),
            _person_name(rng),
            _mobile(rng),
            rng.choice(["", "年度采购框架已谈妥", "Prefers e-mail", "需要报价单"]),
        ]
        sheet.append(row)
        if len(written) < 1000:
            written.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def prepare(existing_target):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accounts import roles
    from accounts.models import Team, User
    from customers.models import Contact, Customer
    from customers.search_text import search_document, search_grams

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="manager").exists():
        call_command("seed_demo", verbosity=0)
    team = Team.objects.get(name="East sales")
    importer, created = User.objects.get_or_create(username="bench_importer", defaults={"team": team})
    if created:
        importer.groups.add(Group.objects.get(name=roles.SALES_MANAGER))
    # Forget what earlier runs imported, in SQL: a model delete would write a history row per contact.
    from django.db import connection

    imported = "SELECT id FROM customers_customer WHERE created_by_id = %s"
    with connection.cursor() as cursor:
        for sql in (
            f"DELETE FROM customers_customer_tags WHERE customer_id IN ({imported})",  # noqa: S608
            f"DELETE FROM customers_contact WHERE customer_id IN ({imported})",  # noqa: S608
            "DELETE FROM customers_customer WHERE created_by_id = %s",
            "DELETE FROM customers_historicalcustomer WHERE history_user_id = %s",
            "DELETE FROM customers_historicalcontact WHERE history_user_id = %s",
        ):
            cursor.execute(sql, [importer.pk])
        deleted = cursor.rowcount
        if deleted:
            print("Removed the rows of earlier runs")
            # Deleted rows leave the indexes (the trigram ones above all) several times their size; every
            # run starts from compact tables, as a database that has not just lost 100,000 rows would have.
            for model in (Customer, Customer.history.model, Contact, Contact.history.model, Customer.tags.through):
                cursor.execute(f"VACUUM FULL {connection.ops.quote_name(model._meta.db_table)}")
    owner = User.objects.get(username="rep")
    base = Customer.objects.filter(notes="bench-existing")
    have = base.count()
    if have < existing_target:
        batch = []
        for n in range(have, existing_target):
            customer = Customer(
                name=f"既有客户{n}有限公司", owner=owner, team_id=owner.team_id, phone=f"021{50_000_000 + n:08d}",
                email=f"existing{n}@example.net", notes="bench-existing",
            )  # fmt: skip
            customer.search_document = search_document(customer, [])
            customer.search_grams = search_grams(customer.search_document)
            batch.append(customer)
        Customer.objects.bulk_create(batch, batch_size=2000)
    return importer, list(base.values_list("phone", "email")[:existing_target])


def main():
    args = parse_args()
    setup_django("crm_bench_import")
    from django.db import connection

    importer, existing = prepare(args.existing)
    path = ROOT / "var" / "bench" / f"customers-{args.rows}.xlsx"
    if not path.exists():
        started = time.monotonic()
        generate(path, args.rows, existing)
        print(f"Generated {path.relative_to(ROOT)} in {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) customers_customer")
    print(f"File: {path.stat().st_size / 1e6:.1f} MB, {args.rows:,} rows; existing customers: {len(existing):,}")

    runs = []
    for attempt in range(args.repeat):
        if attempt:
            prepare(args.existing)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) customers_customer")
        runs.append(timed_import(path, importer, profile=args.profile))
    walls = sorted(run["wall"] for run in runs)
    median = statistics.median(walls)
    if len(runs) > 1:
        print(f"{len(runs)} runs: min {walls[0]:.1f} s, median {median:.1f} s, max {walls[-1]:.1f} s")
    # The budget is for 100,000 rows; a smaller run is held to its share of it, plus a second of fixed cost.
    budget = BUDGET_S * args.rows / 100_000 + (1.0 if args.rows < 100_000 else 0.0)
    verdict = "within" if median < budget else "OVER"
    print(f"Budget {budget:.1f} s: {verdict} (median run)")
    if args.json:
        from benchsetup import emit_json

        row = {
            "case": f"customer import, {args.rows:,} rows ({len(runs)} run(s))",
            "p50": median * 1000,
            "p95": walls[-1] * 1000,
            "queries": None,
            "budget": f"median < {budget:.1f} s",
            "ok": median < budget,
        }
        emit_json(args.json, [row])  # fmt: skip
    if args.check and median >= budget:
        sys.exit(1)


def _backend_cpu(pids) -> float:
    """CPU seconds (user + system) PostgreSQL's server processes for these connections have used."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # PostgreSQL on another machine: not measured
            return float("nan")
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _gin_indexes() -> list[str]:
    from django.contrib.postgres.indexes import GinIndex

    from customers.models import Contact, Customer

    return sorted(i.name for model in (Customer, Contact) for i in model._meta.indexes if isinstance(i, GinIndex))


def timed_import(path, importer, *, profile=False) -> dict:
    """One import, timed: wall clock, this process's CPU and the CPU of the PostgreSQL backend."""
    from django.db import connection

    from crm.importexport import bulk
    from crm.importexport.bulk import merge_index_entries
    from customers.services import transfer

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backends = [cursor.fetchone()[0]]
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    # When the first rows reach PostgreSQL: until then the backend has nothing to do (the file is being read).
    first_write = []
    submit = bulk._BackgroundWriter.submit

    def timed_submit(writer, *args, **kwargs):
        if not first_write:
            first_write.append(time.monotonic())
        return submit(writer, *args, **kwargs)

    bulk._BackgroundWriter.submit = timed_submit
    cpu_before, pg_before = time.process_time(), _backend_cpu(backends)
    started = time.monotonic()
    try:
        with path.open("rb") as source:
            outcome = transfer.customers_import(actor=importer, file=source, name=path.name, duplicate_policy="skip")
    finally:
        bulk._BackgroundWriter.submit = submit
    elapsed = time.monotonic() - started
    first = first_write[0] - started if first_write else float("nan")
    cpu, pg_cpu = time.process_time() - cpu_before, _backend_cpu(backends) - pg_before
    merge_started = time.monotonic()
    # What the task queued by the import's commit does: every GIN index of the tables the import wrote.
    merged = merge_index_entries(_gin_indexes())
    merge_elapsed = time.monotonic() - merge_started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(30)
    print(
        f"Import: {elapsed:.1f} s ({outcome.rows / elapsed:,.0f} rows/s) — rows {outcome.rows:,}, created "
        f"{outcome.created:,}, skipped as duplicates {outcome.skipped:,}, rows with errors {outcome.error_rows:,}"
        f"{'' if outcome.imported else ' (NOT imported)'}"
    )
    share = pg_cpu / (cpu + pg_cpu) if cpu + pg_cpu else 0
    print(f"  CPU: Python {cpu:.1f} s, PostgreSQL backend {pg_cpu:.1f} s ({share:.0%} of the CPU the import used)")
    print(f"  First rows sent to PostgreSQL {first:.2f} s after the start")
    print(f"  After the commit, in the background: search-index merge {merge_elapsed:.1f} s ({merged:,} pending pages)")
    for error in outcome.errors[:5]:
        print(f"  row {error.row} {error.column}: {error.message}")
    return {"wall": elapsed, "cpu": cpu, "pg_cpu": pg_cpu, "first_write": first}


if __name__ == "__main__":
    main()
