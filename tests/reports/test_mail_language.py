"""A scheduled report is mailed to each recipient in their language: a user's preference, and the company's
for an address outside the CRM — not its owner's for everyone."""

import pytest
from django.utils import timezone, translation

from reports import services
from tests.factories import UserFactory

from .factories import ReportScheduleFactory, SavedReportFactory

pytestmark = pytest.mark.django_db


def test_each_recipient_reads_the_scheduled_report_in_their_language(settings, rep_user, mailoutbox):
    settings.LANGUAGE_CODE = "zh-hans"
    rep_user.language = "en"
    rep_user.save(update_fields=["language"])
    UserFactory(username="colleague", email="Colleague@Example.com", language="en")
    report = SavedReportFactory(owner=rep_user, name="VIP", definition={"group_by": [{"field": "lifecycle_stage"}]})
    schedule = ReportScheduleFactory(report=report, recipients="partner@outside.example, colleague@example.com")

    now = timezone.now()
    assert services.schedule_send(schedule=schedule, now=now) is True

    by_address = {message.to[0]: message for message in mailoutbox}
    assert [m.to for m in mailoutbox] == [["partner@outside.example"], ["colleague@example.com"]]
    period = services.schedule_period(schedule, now)
    for address, language in [("partner@outside.example", "zh-hans"), ("colleague@example.com", "en")]:
        with translation.override(language):
            expected = translation.gettext("Report: %(name)s (%(period)s)") % {"name": "VIP", "period": period}
        assert by_address[address].subject == expected
