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
