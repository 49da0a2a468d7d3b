"""/metrics for Prometheus (性能监控): protected, per-view latency and queries, queues, jobs, backups; slow SQL."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client import REGISTRY

from crm import tasks
from crm.celery import app
from crm.models import Job
from security.models import Backup
from security.services import metrics

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests"


@pytest.fixture
def scraping(settings):
    settings.METRICS_TOKEN = TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def _sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


def test_metrics_are_off_until_a_token_or_network_is_set(client):
    assert client.get(reverse("metrics")).status_code == 404


def test_only_the_token_or_an_allowed_network_may_read(client, scraping, settings):
    assert client.get(reverse("metrics")).status_code == 403
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get(reverse("metrics"), **scraping).status_code == 200

    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get(reverse("metrics"), REMOTE_ADDR="10.1.2.3").status_code == 200
    # A forwarded address proves nothing: the direct peer is what counts.
    refused = client.get(reverse("metrics"), REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert refused.status_code == 403


def test_request_latency_and_queries_are_counted_per_view(client_for, rep_user, client, scraping):
    view = "customers:customer-list"
    before = _sample("crm_http_request_duration_seconds_count", view=view, method="GET")
    queries_before = _sample("crm_http_request_db_queries_sum", view=view)
    client_for(rep_user).get(reverse(view))
    assert _sample("crm_http_request_duration_seconds_count", view=view, method="GET") == before + 1
    assert _sample("crm_http_request_db_queries_sum", view=view) > queries_before

    page = client.get(reverse("metrics"), **scraping).content.decode()
    assert 'crm_http_request_duration_seconds_bucket{le="0.1",method="GET",view="customers:customer-list"}' in page


def test_queue_lengths_jobs_and_backup_age_are_read_from_the_shared_state(client, rep_user, scraping):
    result = tasks.purge_behaviour_log.delay()  # no worker: it waits in its queue
    now = timezone.now()
    Job.objects.create(
        user=rep_user, kind=Job.Kind.EXPORT, dataset="customers", status=Job.Status.DONE,
        started_at=now - timedelta(seconds=12), finished_at=now,
    )  # fmt: skip
    Backup.objects.create(
        name="crm-metrics", status=Backup.Status.DONE, finished_at=now - timedelta(hours=2),
        check_status=Backup.CheckStatus.PASSED,
    )  # fmt: skip
    try:
        assert metrics.queue_lengths()["default"] >= 1
        page = client.get(reverse("metrics"), **scraping).content.decode()
    finally:
        result.forget()
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge("default")

    for queue in ("default", "imports", "exports", "mail", "reports"):
        assert f'crm_celery_queue_length{{queue="{queue}"}}' in page
    assert 'crm_job_duration_seconds{kind="export",quantile="1",status="done"} 12.0' in page
    assert 'crm_jobs_finished{kind="export",status="done"} 1.0' in page
    age = next(line for line in page.splitlines() if line.startswith("crm_backup_age_seconds "))
    assert 7190 < float(age.split()[1]) < 7300
    assert "crm_backup_restore_check_passed 1.0" in page
    assert 'crm_metrics_source_up{source="queues"} 1.0' in page


def test_slow_sql_is_logged_with_the_view_that_ran_it(client_for, rep_user, settings, caplog):
    settings.SLOW_QUERY_MS = 0  # every statement counts as slow
    with caplog.at_level(logging.WARNING, logger="crm.slow_sql"):
        client_for(rep_user).get(reverse("customers:customer-list"))
    records = [r for r in caplog.records if r.name == "crm.slow_sql"]
    assert records and all(r.fields["view"] == "customers:customer-list" for r in records)
    assert any("customers_customer" in r.fields["sql"] for r in records)

    settings.SLOW_QUERY_MS = 60_000
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="crm.slow_sql"):
        client_for(rep_user).get(reverse("customers:customer-list"))
    assert not [r for r in caplog.records if r.name == "crm.slow_sql"]


def test_the_health_page_links_the_metrics(client, scraping):
    assert client.get(reverse("healthz")).json()["links"]["metrics"].endswith("/metrics")
