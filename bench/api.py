"""Benchmark the REST API: the customer list at volume (first page, a deep cursor page, incremental sync)
and a bulk upsert of customers by external_id through the bulk endpoint.

    .venv/bin/python bench/api.py                       # against crm_bench (1,000,000 customers if loaded)
    .venv/bin/python bench/api.py --upsert 10000        # also upsert 10,000 customers, 1,000 a call

Runs in-process through DRF's test client with a real token (authentication, throttling and the behaviour
log included, no network). Prints p50/p95 server time and SQL queries per request. The upserted customers
carry external ids ``bench-api-…`` and are deleted at the end, so the database stays as it was.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchsetup import setup_django  # noqa: E402


def timed(client, url, requests, warmup, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(url, **kwargs)
    times, queries = [], []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, **kwargs)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        queries.append(len(captured))
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], max(queries), response


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="crm_bench")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--upsert", type=int, default=0, help="Customers to upsert through the bulk endpoint.")
    args = parser.parse_args()
    import os

    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{args.database}")
    setup_django(args.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings
    from rest_framework.test import APIClient

    from accounts.models import User
    from crm.api.tokens import token_create
    from customers.models import Customer

    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    import logging

    logging.getLogger("crm.requests").setLevel(logging.WARNING)
    print(f"customers: {Customer.objects.count():,}")

    def client_for(username):
        user = User.objects.get(username=username)
        _token, key = token_create(actor=user, user=user, name="bench", access="write")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    executive, rep = client_for("admin"), client_for("rep")
    # A cursor from deep in the list: the page after the 500,000th-newest row costs the same as the first.
    middle = Customer.objects.order_by("-created_at", "-id").values("created_at", "id")[
        min(500_000, max(Customer.objects.count() - 1, 0))
    ]
    from crm.api.pagination import KeysetPagination

    deep = KeysetPagination.encode_cursor("-created_at", middle["created_at"], middle["id"])
    cases = [
        ("list, all scope, first page", executive, "/api/v1/customers/?page_size=50"),
        ("list, all scope, deep cursor", executive, f"/api/v1/customers/?page_size=50&cursor={deep}"),
        ("list, own scope, first page", rep, "/api/v1/customers/?page_size=50"),
        ("list, filter level=A", executive, "/api/v1/customers/?page_size=50&level=A"),
        ("list, updated_since, by updated_at", executive,
         "/api/v1/customers/?page_size=50&ordering=updated_at&updated_since=2020-01-01T00:00:00Z"),
        ("list, sparse fields", executive, "/api/v1/customers/?page_size=50&fields=id,name,updated_at"),
    ]  # fmt: skip
    print(f"{'case':44}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for name, client, url in cases:
        p50, p95, queries, _response = timed(client, url, args.requests, args.warmup)
        print(f"{name:44}{p50:9.1f}{p95:9.1f}{queries:9d}")

    if args.upsert:
        records = [
            {"external_id": f"bench-api-{n}", "name": f"Bench upsert {n}", "level": "B", "phone": "021-68888888"}
            for n in range(args.upsert)
        ]
        try:
            for label in ("create", "update"):
                started = time.perf_counter()
                for start in range(0, len(records), 1000):
                    response = executive.post(
                        "/api/v1/customers/bulk/", {"records": records[start : start + 1000]}, format="json"
                    )
                    assert response.status_code == 200, response.content[:300]
                seconds = time.perf_counter() - started
                rate = len(records) / seconds
                print(f"bulk upsert {len(records):,} customers ({label}): {seconds:.1f} s ({rate:,.0f}/s)")
                for record in records:
                    record["level"] = "A"
        finally:
            # By the unique index: the external ids have no LIKE-pattern index (customers migration 0013).
            Customer.objects.filter(external_id__in=[record["external_id"] for record in records]).delete()


if __name__ == "__main__":
    main()
