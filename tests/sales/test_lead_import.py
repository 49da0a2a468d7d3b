"""Lead import through the shared engine: upload, the job, duplicates and row errors."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import Job
from sales import tasks
from sales.models import Lead

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def csv_upload(rows, encoding="utf-8"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile("leads.csv", text.getvalue().encode(encoding))


ROWS = [
    ["姓名", "公司", "手机", "邮箱", "来源"],
    ["张三", "东方电子", "13800001111", "zhang@dongfang.example", "展会"],
    ["李四", "西部物流", "13800002222", "li@xibu.example", "Website"],
    ["王五", "北方重工", "13800003333", "wang@beifang.example", ""],
]


def test_upload_queues_a_job_that_imports_the_leads(client_for, manager, django_capture_on_commit_callbacks):
    LeadFactory(owner=manager, name="Old", email="wang@beifang.example")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(manager).post(
            reverse("sales:lead-import"), {"file": csv_upload(ROWS, "gbk"), "duplicate_policy": "skip"}
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("job-detail", args=[job.pk])
    assert len(callbacks) == 1
    assert tasks.run_lead_import.apply(args=[job.pk]).get() == Job.Status.DONE
    job.refresh_from_db()
    assert job.result["created"] == 2 and job.result["skipped"] == 1
    zhang = Lead.objects.get(name="张三")
    assert zhang.company == "东方电子" and zhang.source == "exhibition" and zhang.owner == manager
    # delivered again, the job imports nothing twice
    assert tasks.run_lead_import.apply(args=[job.pk]).get() == Job.Status.DONE
    assert Lead.objects.count() == 3


def test_a_bad_row_is_reported_and_nothing_imported(manager, django_capture_on_commit_callbacks):
    from sales.services.imports import lead_import_upload

    rows = [*ROWS, ["赵六", "", "", "not-an-email", ""]]
    with django_capture_on_commit_callbacks(execute=False):
        job = lead_import_upload(actor=manager, file=csv_upload(rows), duplicate_policy="skip", import_valid_rows=False)
    tasks.run_lead_import.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert job.result["error_rows"] == 1 and job.result["errors"][0]["row"] == 5
    assert not Lead.objects.exists()


def test_a_file_without_a_name_column_is_refused(client_for, manager):
    response = client_for(manager).post(
        reverse("sales:lead-import"), {"file": csv_upload([["foo", "bar"], ["1", "2"]]), "duplicate_policy": "skip"}
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not Job.objects.exists()


def test_reps_cannot_import(client_for, rep_user):
    assert client_for(rep_user).get(reverse("sales:lead-import")).status_code == 403
