"""The one export helper every app declares its data set with: scope, log, language, idempotent jobs."""

import pytest
from django.contrib.auth.models import Group
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from crm.importexport import ExportField, choice_display
from crm.importexport.exports import DatasetExport
from crm.models import BehaviourLog, Job

pytestmark = pytest.mark.django_db


def _groups_for(*, user, query):
    # Stands in for an app's scoped list: only the groups whose name starts with the user's name.
    groups = Group.objects.filter(name__startswith=f"{user.username}-").order_by("name")
    if query.get("q"):
        groups = groups.filter(name__contains=query["q"])
    return groups


GROUPS = DatasetExport(
    dataset="groups",
    module="testing",
    queryset=_groups_for,
    fields=lambda keys: [
        field
        for field in [ExportField("name", _("Name"), "name"), ExportField("id", _("Number"), "pk")]
        if keys is None or field.key in keys
    ],
)


class Queue:
    """The app's Celery task as the helper sees it, found by its dotted path: something with ``apply_async``."""

    def __init__(self):
        self.queued = []

    def apply_async(self, args, countdown=None):
        (job_id,) = args
        self.queued.append(job_id)


QUEUE = Queue()


def _sheet(content):
    import io

    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def test_a_small_export_holds_only_the_users_rows_and_is_logged_with_its_filter(rep_user, other_rep):
    Group.objects.create(name=f"{rep_user.username}-north")
    Group.objects.create(name=f"{rep_user.username}-south")
    Group.objects.create(name=f"{other_rep.username}-north")
    name, content_type, content = GROUPS.now(
        actor=rep_user, query=QueryDict("q=north&tag=x&tag=y"), fmt="xlsx", keys=["name"]
    )
    assert name.startswith("groups-") and name.endswith(".xlsx")
    assert content_type.startswith("application/vnd.openxmlformats")
    assert _sheet(content) == [["Name"], [f"{rep_user.username}-north"]]
    log = BehaviourLog.objects.get(action=BehaviourLog.Action.EXPORT)
    assert log.module == "testing"
    assert log.detail == {
        "dataset": "groups", "rows": 1, "fields": ["name"], "filter": {"q": "north", "tag": ["x", "y"]},
        "format": "xlsx",
    }  # fmt: skip


def test_an_export_job_is_queued_once_committed_and_runs_once_in_the_language_it_was_asked_in(
    rep_user, django_capture_on_commit_callbacks
):
    Group.objects.create(name=f"{rep_user.username}-north")
    QUEUE.queued.clear()
    queue = QUEUE
    with django_capture_on_commit_callbacks(execute=True), translation.override("zh-hans"):
        job = GROUPS.start(
            actor=rep_user, query=QueryDict("q=north"), fmt="xlsx", task=f"{__name__}.QUEUE", keys=["name", "id"]
        )
    assert queue.queued == [job.pk]
    assert job.options["fields"] == ["name", "id"] and job.language == "zh-hans"

    with translation.override("en"):
        done = GROUPS.run(job_id=job.pk)
        again = GROUPS.run(job_id=job.pk)  # a second delivery of the same task
    assert done.status == Job.Status.DONE and again.status == Job.Status.DONE
    done.refresh_from_db()
    with done.output_file.open("rb") as output:
        rows = _sheet(output.read())
    assert rows[0] == ["名称", "编号"]
    assert rows[1][0] == f"{rep_user.username}-north"
    assert BehaviourLog.objects.filter(action=BehaviourLog.Action.EXPORT).count() == 1


def test_choice_display_shows_the_label_and_leaves_unknown_values_readable():
    display = choice_display(BehaviourLog.Action.choices)
    assert display(BehaviourLog.Action.EXPORT) == str(BehaviourLog.Action.EXPORT.label)
    assert display("retired-action") == "retired-action"
    assert display(None) == ""


def test_look_up_only_admin_pages_refuse_adding_and_editing(admin_client):
    entry = BehaviourLog.objects.create(action=BehaviourLog.Action.LOGIN, username="someone")
    assert admin_client.get(reverse("admin:crm_behaviourlog_add")).status_code == 403
    assert admin_client.post(reverse("admin:crm_behaviourlog_change", args=[entry.pk]), {}).status_code == 403
    # The behaviour log may still be cleared out; marketing's records may not be deleted here.
    assert admin_client.get(reverse("admin:crm_behaviourlog_delete", args=[entry.pk])).status_code == 200
    assert admin_client.get(reverse("admin:marketing_campaign_add")).status_code == 403
    assert admin_client.get(reverse("admin:marketing_campaign_changelist")).status_code == 200
