"""The communication summary: after a rebuild the communications panel and the headline count read it and show
exactly the live figures for each record scope and dashboard filter, records on a customer shared with the user
added from the live table; without a rebuild, or in another time zone, they stay live."""

import zoneinfo
from datetime import date, datetime

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from customers.models import Communication, Customer
from reports import summaries
from reports.models import CommunicationDailySummary
from reports.panels.customers import communications_by_channel, headline_numbers
from tests.factories import CommunicationFactory
from tests.reports import test_customer_summaries as customer_fixtures
from tests.reports import test_dashboard as fixtures
from tests.reports.factories import dashboard_filter_sets

pytestmark = pytest.mark.django_db

data = fixtures.data
period = fixtures.period
shared = customer_fixtures.shared
CHANNELS = [Communication.Channel.PHONE, Communication.Channel.EMAIL, Communication.Channel.VISIT]


def _local(month, day, hour=12):
    return datetime(2026, month, day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def communications(shared, manager):
    """Communications on every customer (Carol's shared one included), in three months, one at a local midnight
    (a summary by UTC day would put it in the month before) and one recorded by the manager."""
    for i, customer in enumerate(Customer.objects.order_by("pk")):
        for j, when in enumerate((_local(1, 10), _local(2, 1, hour=0), _local(3, 15), _local(6, 1))):
            CommunicationFactory(customer=customer, occurred_at=when, channel=CHANNELS[(i + j) % 3])
    CommunicationFactory(customer=Customer.objects.order_by("pk").first(), owner=manager, occurred_at=_local(2, 20),
                         channel=Communication.Channel.MEETING)  # fmt: skip


def _fresh(user):
    return User.objects.get(pk=user.pk)


def _figures(user, filters):
    chart = communications_by_channel(_fresh(user), filters)
    count = next(n["value"] for n in headline_numbers(_fresh(user), filters) if str(n["label"]).startswith("Comm"))
    return [(str(s.label), s.values) for s in chart.series], count


@pytest.mark.parametrize("who", ["rep_user", "manager", "executive"])
def test_communication_summary_figures_equal_the_live_ones_for_each_scope(request, communications, period, who):
    user = request.getfixturevalue(who)
    filter_sets = dashboard_filter_sets(user, period, date(2026, 1, 6), date(2026, 2, 28))
    live = [_figures(user, filters) for filters in filter_sets]
    summaries.customer_summaries_refresh()
    assert [_figures(user, filters) for filters in filter_sets] == live
    assert live[0][1] > 0


def test_records_on_a_shared_customer_are_added_from_the_live_table(communications, shared, rep_user, period):
    summaries.customer_summaries_refresh()
    CommunicationDailySummary.objects.update(communications=0)  # tampered: only the shared records remain
    chart = communications_by_channel(_fresh(rep_user), period)
    assert "as of" in str(chart.title)
    assert sum(sum(s.values) for s in chart.series) == 3  # Carol's customer's three records in the period


def test_the_panel_reads_the_summary(communications, executive, period):
    summaries.customer_summaries_refresh()
    CommunicationDailySummary.objects.update(communications=10)
    _series, count = _figures(executive, period)
    assert count == 10 * CommunicationDailySummary.objects.filter(day__lte=period.end).count()


def test_without_a_refresh_or_in_another_time_zone_the_panel_stays_live(communications, executive, period):
    assert "as of" not in str(communications_by_channel(_fresh(executive), period).title)
    summaries.customer_summaries_refresh()
    CommunicationDailySummary.objects.update(communications=10)
    other = "UTC" if settings.TIME_ZONE != "UTC" else "Asia/Tokyo"
    with timezone.override(zoneinfo.ZoneInfo(other)):
        chart = communications_by_channel(_fresh(executive), period)
        live = Communication.objects.filter(occurred_at__gte=period.start_at(), occurred_at__lt=period.end_before())
        expected = live.count()
    assert "as of" not in str(chart.title)
    assert sum(sum(s.values) for s in chart.series) == expected > 0


def test_a_communication_summary_rebuild_is_idempotent_and_picks_up_changes(communications, executive, period):
    summaries.communication_summaries_refresh()
    first = _figures(executive, period)
    summaries.communication_summaries_refresh()
    assert _figures(executive, period) == first
    CommunicationFactory(customer=Customer.objects.first(), occurred_at=_local(3, 3))
    assert _figures(executive, period)[1] == first[1]  # not yet rebuilt
    summaries.communication_summaries_refresh()
    assert _figures(executive, period)[1] == first[1] + 1
