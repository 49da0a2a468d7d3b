"""Saving and sharing custom reports: shared with users or roles, computed with the viewer's scope, 404 otherwise."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import roles
from crm.models import BehaviourLog
from reports.models import SavedReport
from tests.factories import CustomerFactory

from .factories import SavedReportFactory

pytestmark = pytest.mark.django_db

BUILDER = {"dataset": "customers", "group_1": "lifecycle_stage", "agg_1": "count", "chart": "pie"}


def test_a_manager_saves_and_shares_a_report_with_a_role(client_for, manager, executive):
    response = client_for(manager).post(
        reverse("reports:saved-report-save"),
        {**BUILDER, "name": "By stage", "roles": [Group.objects.get(name=roles.EXECUTIVE).pk]},
    )
    report = SavedReport.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert report.owner == manager and report.chart == "pie"
    assert report.definition["group_by"] == [{"field": "lifecycle_stage", "trunc": ""}]
    assert BehaviourLog.objects.filter(action=BehaviourLog.Action.CREATE, object_id=str(report.pk)).exists()
    assert report in SavedReport.objects.visible_to(executive)


def test_saving_refuses_fields_outside_the_whitelist(client_for, manager):
    response = client_for(manager).post(
        reverse("reports:saved-report-save"), {**BUILDER, "group_1": "search_document", "name": "Sneaky"}
    )
    assert response.status_code == 400
    assert "group_1" in response.context["form"].errors
    assert not SavedReport.objects.exists()


def test_a_shared_report_shows_each_viewer_only_their_own_numbers(client_for, manager, rep_user, far_rep):
    CustomerFactory(owner=rep_user)
    CustomerFactory(owner=rep_user)
    CustomerFactory(owner=far_rep)
    report = SavedReportFactory(owner=manager, definition={"aggregates": [{"func": "count"}]})
    report.shared_with_users.set([rep_user, far_rep])
    assert client_for(manager).get(report.get_absolute_url()).context["table"].rows == [[2]]
    assert client_for(rep_user).get(report.get_absolute_url()).context["table"].rows == [[2]]
    assert client_for(far_rep).get(report.get_absolute_url()).context["table"].rows == [[1]]


def test_a_report_not_shared_with_the_user_answers_404(client_for, manager, rep_user, executive):
    report = SavedReportFactory(owner=manager)
    report.shared_with_roles.set([Group.objects.get(name=roles.EXECUTIVE)])
    client = client_for(rep_user)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(report.get_absolute_url(), {"format": "xlsx"}).status_code == 404
    assert client_for(executive).get(report.get_absolute_url()).status_code == 200
    assert report not in client_for(rep_user).get(reverse("reports:saved-report-list")).context["reports"]


def test_only_the_owner_edits_or_deletes(client_for, manager, executive):
    report = SavedReportFactory(owner=manager)
    report.shared_with_users.set([executive])
    client = client_for(executive)
    assert client.get(reverse("reports:report-builder"), {"report": report.pk}).status_code == 404
    assert client.post(reverse("reports:saved-report-delete", args=[report.pk])).status_code == 404
    response = client.post(reverse("reports:saved-report-save"), {**BUILDER, "name": "Mine now", "report": report.pk})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.name != "Mine now"
    owner = client_for(manager)
    assert owner.post(reverse("reports:saved-report-delete", args=[report.pk])).status_code == 302
    assert not SavedReport.objects.exists()


def test_the_owner_edits_a_report_in_the_builder(client_for, manager):
    report = SavedReportFactory(owner=manager, name="Old")
    client = client_for(manager)
    page = client.get(reverse("reports:report-builder"), {"report": report.pk})
    assert page.context["form"]["group_1"].value() == "lifecycle_stage"
    client.post(
        reverse("reports:saved-report-save"), {**BUILDER, "group_1": "level", "name": "New", "report": report.pk}
    )
    report.refresh_from_db()
    assert report.name == "New" and report.definition["group_by"][0]["field"] == "level"


def test_a_stored_definition_outside_the_whitelist_does_not_run(client_for, manager):
    report = SavedReportFactory(owner=manager, definition={"columns": ["owner__password"]})
    response = client_for(manager).get(report.get_absolute_url())
    assert response.status_code == 200
    assert response.context["table"] is None
    assert "owner__password" in " ".join(response.context["problems"])


def _queries(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_report_pages_keep_a_flat_query_count_as_rows_grow(client_for, manager):
    listing = SavedReportFactory(owner=manager, definition={"columns": ["name", "owner", "team", "lifecycle_stage"]})
    grouped = SavedReportFactory(owner=manager, definition={"group_by": [{"field": "owner"}, {"field": "level"}]})
    client = client_for(manager)
    builder_params = {
        "dataset": "customers",
        "group_1": "owner",
        "group_2": "created_at",
        "trunc_2": "week",
        "agg_1": "count",
    }
    CustomerFactory(owner=manager)
    before = [_queries(client, r.get_absolute_url()) for r in (listing, grouped)]
    before.append(_queries(client, reverse("reports:report-builder"), builder_params))
    before.append(_queries(client, reverse("reports:saved-report-list")))
    for i in range(30):
        if i % 3 == 0:
            SavedReportFactory(owner=manager).shared_with_users.add(manager)
        CustomerFactory(owner=manager, level="ABCD"[i % 4])
    after = [_queries(client, r.get_absolute_url()) for r in (listing, grouped)]
    after.append(_queries(client, reverse("reports:report-builder"), builder_params))
    after.append(_queries(client, reverse("reports:saved-report-list")))
    assert before == after
    assert max(after) <= 12


def test_a_malformed_report_id_answers_404(client_for, manager):
    client = client_for(manager)
    assert client.get(reverse("reports:report-builder"), {"report": "1 OR 1=1"}).status_code == 404
    assert (
        client.post(reverse("reports:saved-report-save"), {**BUILDER, "name": "x", "report": "abc"}).status_code == 404
    )
