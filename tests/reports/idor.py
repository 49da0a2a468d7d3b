"""Makers for the IDOR sweep: saved reports and their schedules belong to their owner and whom they are
shared with. Deleting and scheduling need the analysts' permissions, so both users are sales managers
(of different teams); viewing needs only the permission every role holds."""

from accounts import roles
from tests.reports.factories import ReportScheduleFactory, SavedReportFactory


def saved_report(owner):
    return {"pk": SavedReportFactory(owner=owner).pk}


def analyst_saved_report(owner):
    return saved_report(owner)


analyst_saved_report.roles = (roles.SALES_MANAGER,)


def schedule(owner):
    return {"pk": ReportScheduleFactory(report=SavedReportFactory(owner=owner)).pk}


schedule.roles = (roles.SALES_MANAGER,)

REGISTRY = {
    "reports:saved-report-": saved_report,
    "reports:saved-report-delete": analyst_saved_report,
    "reports:schedule-create": analyst_saved_report,
    "reports:schedule-delete": schedule,
}
