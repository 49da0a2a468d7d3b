"""Makers for the IDOR sweep (tests/test_idor_sweep.py): a saved report or schedule the owner can see."""

from .factories import ReportScheduleFactory, SavedReportFactory


def saved_report(owner):
    return {"pk": SavedReportFactory(owner=owner).pk}


def schedule(owner):
    return {"pk": ReportScheduleFactory(report=SavedReportFactory(owner=owner)).pk}


REGISTRY = {
    "reports:saved-report-": saved_report,
    "reports:schedule-create": saved_report,
    "reports:schedule-delete": schedule,
}
