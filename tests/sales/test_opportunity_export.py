"""Exporting the opportunity list's current filter through the shared engine."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm.models import BehaviourLog, Job
from sales import tasks
from tests.factories import CustomerFactory

from .factories import OpportunityFactory, open_stages

pytestmark = pytest.mark.django_db


def test_small_export_downloads_the_filtered_rows_in_scope(client_for, rep_user, far_rep):
    stages = open_stages()
    OpportunityFactory(name="=HYPERLINK(1)", owner=rep_user, customer=CustomerFactory(owner=rep_user), stage=stages[1])
    OpportunityFactory(name="Other stage", owner=rep_user, customer=CustomerFactory(owner=rep_user), stage=stages[0])
    OpportunityFactory(name="Not mine", owner=far_rep, customer=CustomerFactory(owner=far_rep), stage=stages[1])
    response = client_for(rep_user).get(reverse("sales:opportunity-export"), {"stage": stages[1].pk, "page": 3})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Name" and len(rows) == 2
    assert rows[1][0] == "'=HYPERLINK(1)"  # a formula is neutralised
    log = BehaviourLog.objects.get(action=BehaviourLog.Action.EXPORT)
    assert log.detail["rows"] == 1 and log.detail["filter"] == {"stage": str(stages[1].pk)}


def test_large_export_runs_as_a_job(client_for, manager, rep_user, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    for _ in range(3):
        OpportunityFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user))
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(manager).get(reverse("sales:opportunity-export"), {"format": "csv"})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("job-detail", args=[job.pk])
    assert tasks.run_opportunity_export.apply(args=[job.pk]).get() == Job.Status.DONE
    job.refresh_from_db()
    assert job.result["rows"] == 3
    assert job.output_file.open("rb").read().decode("utf-8-sig").count("\n") == 4


def test_service_agents_cannot_export(client_for, db):
    from accounts import roles
    from tests.factories import UserFactory

    agent = UserFactory(username="svc2", role=roles.SERVICE_AGENT)
    assert client_for(agent).get(reverse("sales:opportunity-export")).status_code == 403
