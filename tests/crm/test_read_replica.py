"""The read replica: reports, dashboards and exports read from it; writes and reads in a transaction do not.

A second database on the same server stands in for the replica. It is a copy of the test database taken
during the test, after which the two are made to differ (a customer renamed on the "replica", one added on
the primary only, as replication lag would leave them), so every read shows where it came from.
"""

from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.db.utils import load_backend
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.db import REPLICA, read_alias, replica_reads
from crm.models import Job
from customers.models import Customer
from customers.services.customers import customer_create
from customers.services.transfer import CUSTOMERS
from security.services.backups import connection_params
from tests.factories import CustomerFactory

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@contextmanager
def _replica_copy(settings):
    """A copy of the test database as it is now, configured as the ``replica``; removed afterwards.

    The connection is made here rather than by Django's test machinery, which allows the test database only.
    """
    primary = connections["default"].settings_dict
    name = f"{primary['NAME']}_replica"[:63]
    connections.close_all()  # CREATE DATABASE … TEMPLATE needs the template to have no sessions
    _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
    _admin("CREATE DATABASE {} TEMPLATE {}", name, primary["NAME"])
    replica_settings = {**primary, "NAME": name}
    settings.DATABASES = {**settings.DATABASES, REPLICA: replica_settings}
    wrapper = load_backend(primary["ENGINE"]).DatabaseWrapper(replica_settings, REPLICA)
    setattr(connections._connections, REPLICA, wrapper)
    try:
        yield wrapper
    finally:
        wrapper.close()
        delattr(connections._connections, REPLICA)
        _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def _admin(statement, *names):
    query = psycopg.sql.SQL(statement).format(*[psycopg.sql.Identifier(n) for n in names])
    with psycopg.connect(**connection_params("postgres"), autocommit=True) as admin:
        admin.execute(query)


@pytest.fixture
def lagging_replica(executive, settings):
    """The user, roles and a customer exist on both; then the primary moves on and the replica lags."""
    customer = CustomerFactory(name="As on the primary", owner=executive)
    with _replica_copy(settings) as replica:
        with replica.cursor() as cursor:
            cursor.execute("UPDATE customers_customer SET name = 'As on the replica' WHERE id = %s", [customer.pk])
        CustomerFactory(name="Only on the primary", owner=executive)
        yield replica


@TRANSACTIONAL
def test_dashboards_reports_and_exports_read_from_the_replica(executive, lagging_replica, client_for):
    client = client_for(executive)
    for name in ("reports:dashboard", "reports:big-screen", "reports:statistics", "home"):
        with CaptureQueriesContext(lagging_replica) as on_replica, CaptureQueriesContext(connection) as on_primary:
            assert client.get(reverse(name)).status_code == 200
        assert len(on_replica) > 0, name
        # The primary serves the session and the user only (read before the view runs).
        assert all("customers_" not in query["sql"] for query in on_primary.captured_queries), name
    with CaptureQueriesContext(lagging_replica) as on_replica:
        client.get(reverse("customers:customer-list"))
    assert len(on_replica) == 0

    page = client.get(reverse("reports:report-builder"), {"dataset": "customers", "columns": ["name"]})
    assert page.status_code == 200
    assert "As on the replica" in page.content.decode() and "Only on the primary" not in page.content.decode()

    name, _type, content = CUSTOMERS.now(actor=executive, query=QueryDict(""), fmt="csv", keys=["name"])
    text = content.decode("utf-8-sig")
    assert "As on the replica" in text and "Only on the primary" not in text

    # The export job: its rows from the replica, the job itself (which the replica has never seen) on the primary.
    job = CUSTOMERS.start(actor=executive, query=QueryDict(""), fmt="csv", task=f"{__name__}.NO_QUEUE", keys=["name"])
    done = CUSTOMERS.run(job_id=job.pk)
    assert done.status == Job.Status.DONE and done.total == 1
    assert "As on the replica" in done.output_file.open("rb").read().decode("utf-8-sig")
    assert not Job.objects.using(REPLICA).filter(pk=job.pk).exists()


@TRANSACTIONAL
def test_writes_and_reads_in_a_transaction_go_to_the_primary(executive, lagging_replica, client_for):
    with replica_reads():
        assert read_alias() == REPLICA
        created = customer_create(actor=executive, data={"name": "Written during a report"})
        assert Customer.objects.using("default").filter(pk=created.pk).exists()
        assert not Customer.objects.using(REPLICA).filter(pk=created.pk).exists()
        # Outside a transaction the read goes to the replica, which has not seen the write yet …
        assert not Customer.objects.filter(pk=created.pk).exists()
        # … inside one (which may have written) it stays on the primary and sees it.
        with transaction.atomic():
            assert read_alias() == "default"
            assert Customer.objects.filter(pk=created.pk).exists()

    # Pages outside the reports read the primary, even for GET.
    page = client_for(executive).get(reverse("customers:customer-list"))
    assert "Only on the primary" in page.content.decode() and "As on the replica" not in page.content.decode()


class _NoQueue:
    """Stands in for the Celery task: the test runs the job itself, right here."""

    def apply_async(self, args, countdown=None):
        return None


NO_QUEUE = _NoQueue()
