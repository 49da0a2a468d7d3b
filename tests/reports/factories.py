import factory

from reports.models import ReportSchedule, SavedReport
from tests.factories import UserFactory


class SavedReportFactory(factory.django.DjangoModelFactory):
    """Rows written directly; the tests of saving go through the services and the builder page."""

    class Meta:
        model = SavedReport

    name = factory.Sequence(lambda n: f"Report {n}")
    dataset = "customers"
    definition = factory.LazyFunction(
        lambda: {"group_by": [{"field": "lifecycle_stage"}], "aggregates": [{"func": "count"}]}
    )
    owner = factory.SubFactory(UserFactory)


class ReportScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSchedule

    report = factory.SubFactory(SavedReportFactory)
    owner = factory.LazyAttribute(lambda s: s.report.owner)
    frequency = ReportSchedule.Frequency.DAILY
    send_hour = 0
    format = ReportSchedule.Format.XLSX
    recipients = "boss@example.com, team@example.com"


def dashboard_filter_sets(user, period, inner_start, inner_end):
    """The dashboard filters a summary must answer exactly as the live tables do: the period, one whose
    boundaries fall inside months (the summary's days must cut where the live timestamps do), and the
    period narrowed to the user as owner and to the user's team."""
    from reports.dashboard_filters import DashboardFilters

    return [
        period,
        DashboardFilters(start=inner_start, end=inner_end),
        DashboardFilters(start=period.start, end=period.end, owner=user.pk),
        DashboardFilters(start=period.start, end=period.end, team=user.team_id) if user.team_id else period,
    ]
