"""Statistics computed by PostgreSQL agree with Python's statistics module on the same rows."""

import statistics
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from reports import statistics as report_statistics
from reports.datasets import CUSTOMERS
from tests.factories import CommunicationFactory, CustomerFactory

pytestmark = pytest.mark.django_db

QUALITY = [12, 35, 35, 48, 51, 60, 66, 73, 88, 97]
CHURN = [90, 70, 72, 50, 55, 41, 30, 33, 20, 5]
CALLS = [0, 1, 1, 2, 1, 3, 2, 4, 5, 6]


@pytest.fixture
def measured(rep_user, far_rep):
    now = timezone.now()
    for i, (quality, churn, calls) in enumerate(zip(QUALITY, CHURN, CALLS, strict=True)):
        customer = CustomerFactory(owner=rep_user, quality_score=quality, churn_score=churn)
        Customer.objects.filter(pk=customer.pk).update(last_contacted_at=now - timedelta(days=i * 3 + 1))
        for _ in range(calls):
            CommunicationFactory(customer=customer)
    # Someone else's customer with extreme values: it must not move Alice's figures.
    CustomerFactory(owner=far_rep, quality_score=0, churn_score=100)


def test_descriptive_statistics_match_python(measured, rep_user):
    results = report_statistics.descriptive(CUSTOMERS, CUSTOMERS.queryset(rep_user), ["quality_score", "churn_score"])
    for result, values in zip(results, (QUALITY, CHURN), strict=True):
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        assert result.count == len(values)
        assert result.mean == pytest.approx(statistics.mean(values))
        assert result.stdev == pytest.approx(statistics.stdev(values))
        assert (result.q1, result.median, result.q3) == pytest.approx((q1, median, q3))
        assert result.median == pytest.approx(statistics.median(values))
        assert (result.minimum, result.maximum) == (min(values), max(values))


def test_annotated_measures_count_communications_and_days_since_contact(measured, rep_user):
    calls, days = report_statistics.descriptive(
        CUSTOMERS, CUSTOMERS.queryset(rep_user), ["communications", "days_since_contact"]
    )
    assert calls.mean == pytest.approx(statistics.mean(CALLS))
    assert calls.stdev == pytest.approx(statistics.stdev(CALLS))
    expected_days = [i * 3 + 1 for i in range(10)]
    assert days.mean == pytest.approx(statistics.mean(expected_days), abs=0.01)
    assert days.maximum == pytest.approx(28, abs=0.01)


def test_correlation_matrix_matches_python(measured, rep_user):
    keys = ["quality_score", "churn_score", "communications"]
    matrix = report_statistics.correlation_matrix(CUSTOMERS, CUSTOMERS.queryset(rep_user), keys)
    columns = {"quality_score": QUALITY, "churn_score": CHURN, "communications": CALLS}
    for i, a in enumerate(keys):
        for j, b in enumerate(keys):
            expected = 1.0 if a == b else statistics.correlation(columns[a], columns[b])
            assert matrix[i][j] == pytest.approx(expected)
    assert matrix[0][1] < -0.9  # better data, lower churn risk in this fixture


def test_linear_regression_matches_python(measured, rep_user):
    fit = report_statistics.regression(CUSTOMERS, CUSTOMERS.queryset(rep_user), x="quality_score", y="churn_score")
    slope, intercept = statistics.linear_regression(QUALITY, CHURN)
    r = statistics.correlation(QUALITY, CHURN)
    assert fit.count == 10
    assert fit.slope == pytest.approx(slope)
    assert fit.intercept == pytest.approx(intercept)
    assert fit.r2 == pytest.approx(r * r)
    assert fit.correlation == pytest.approx(r)


def test_scatter_sample_is_bounded_and_scoped(measured, rep_user):
    points = report_statistics.scatter_sample(
        CUSTOMERS, CUSTOMERS.queryset(rep_user), x="quality_score", y="churn_score", limit=4
    )
    assert len(points) == 4
    everything = report_statistics.scatter_sample(
        CUSTOMERS, CUSTOMERS.queryset(rep_user), x="quality_score", y="churn_score"
    )
    assert sorted(everything) == sorted([float(q), float(c)] for q, c in zip(QUALITY, CHURN, strict=True))


def test_statistics_page_uses_a_few_queries_whatever_the_rows(measured, client_for, manager, rep_user):
    client = client_for(manager)
    params = {
        "dataset": "customers",
        "measures": ["quality_score", "churn_score"],
        "x": "quality_score",
        "y": "churn_score",
    }
    with CaptureQueriesContext(connection) as first:
        response = client.get(reverse("reports:statistics"), params)
    assert response.status_code == 200
    assert response.context["regression"].count == 10  # the manager's team holds Alice's customers
    for _ in range(20):
        CustomerFactory(owner=rep_user, quality_score=50, churn_score=50)
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("reports:statistics"), params)
    assert len(first) == len(second) <= 12


def test_statistics_page_refuses_the_same_measure_twice_and_unknown_measures(client_for, manager):
    client = client_for(manager)
    same = client.get(
        reverse("reports:statistics"),
        {"dataset": "customers", "measures": ["quality_score"], "x": "quality_score", "y": "quality_score"},
    )
    assert "y" in same.context["form"].errors
    unknown = client.get(
        reverse("reports:statistics"),
        {"dataset": "customers", "measures": ["owner_id"], "x": "quality_score", "y": "churn_score"},
    )
    assert "measures" in unknown.context["form"].errors
    assert "descriptive" not in unknown.context


def test_reps_have_no_statistics(client_for, rep_user):
    assert client_for(rep_user).get(reverse("reports:statistics")).status_code == 403
