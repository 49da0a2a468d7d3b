"""Lead import through the shared flow: upload → columns → dry run → import, duplicates and row errors."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.importexport import flow
from crm.models import BehaviourLog, Job
from sales import tasks
from sales.models import Lead
from sales.services.imports import LEAD_IMPORT

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


def _columns(form):
    return {name: form[name].initial for name in form.column_names}


def _upload_and_check(client, rows, encoding="utf-8", **options):
    """Upload, post the guessed columns for a dry run, run it as the worker would; the preview page."""
    location = client.post(reverse("sales:lead-import"), {"file": csv_upload(rows, encoding)})["Location"]
    data = {**_columns(client.get(location).context["form"]), "duplicate_policy": "skip", **options}
    response = client.post(location, data)
    check = Job.objects.filter(dry_run=True).latest("pk")
    assert response["Location"] == reverse("sales:lead-import-check", args=[check.pk])
    assert tasks.run_lead_import.apply(args=[check.pk]).get() == Job.Status.DONE
    return location, data, client.get(response["Location"])


def test_leads_go_through_upload_mapping_dry_run_and_import(client_for, manager, django_capture_on_commit_callbacks):
    LeadFactory(owner=manager, name="Old", email="wang@beifang.example")
    client = client_for(manager)
    location, data, preview = _upload_and_check(client, ROWS, "gbk")
    assert preview.templates[0].name == "crm/import/preview.html"
    assert (preview.context["result"]["created"], preview.context["result"]["skipped"]) == (2, 1)
    assert Lead.objects.count() == 1  # the dry run saved nothing
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(location, {**data, "confirm": "1"})
        client.post(location, {**data, "confirm": "1"})
    upload = Job.objects.get(dry_run=False)
    assert response["Location"] == reverse("job-detail", args=[upload.pk])
    assert len(callbacks) == 1 and upload.status == Job.Status.QUEUED
    assert tasks.run_lead_import.apply(args=[upload.pk]).get() == Job.Status.DONE
    upload.refresh_from_db()
    assert upload.result["created"] == 2 and upload.result["skipped"] == 1
    zhang = Lead.objects.get(name="张三")
    assert zhang.company == "东方电子" and zhang.source == "exhibition" and zhang.owner == manager
    # delivered again, the job imports nothing twice
    assert tasks.run_lead_import.apply(args=[upload.pk]).get() == Job.Status.DONE
    assert Lead.objects.count() == 3
    assert BehaviourLog.objects.get(module="sales", detail__import="leads").detail["file"] == "leads.csv"


def test_a_company_column_headed_客户名称_is_imported_as_the_company(client_for, manager):
    """The 508 leads with an empty company: 客户名称 is now recognised, and the mapping page shows it."""
    client = client_for(manager)
    rows = [["姓名", "客户名称", "手机"], ["张三", "东方电子", "13800001111"]]
    location = client.post(reverse("sales:lead-import"), {"file": csv_upload(rows)})["Location"]
    form = client.get(location).context["form"]
    assert _columns(form) == {"column_0": "name", "column_1": "company", "column_2": "phone"}


def test_an_unmapped_column_is_shown_on_the_preview_not_dropped_silently(client_for, manager):
    rows = [["姓名", "备用字段", "手机"], ["张三", "东方电子", "13800001111"]]
    _location, _data, preview = _upload_and_check(client_for(manager), rows)
    assert "备用字段" in preview.content.decode()
    assert preview.context["form"].unmapped_headers() == ["备用字段"]


def test_a_required_column_left_unmapped_is_named_in_the_message(client_for, manager):
    client = client_for(manager)
    rows = [["客户名称", "手机"], ["东方电子", "13800001111"]]
    location = client.post(reverse("sales:lead-import"), {"file": csv_upload(rows)})["Location"]
    response = client.post(location, {**_columns(client.get(location).context["form"]), "duplicate_policy": "skip"})
    assert response.status_code == 200
    [message] = response.context["form"].non_field_errors()
    assert "Contact name" in message
    assert not Job.objects.filter(dry_run=True).exists()


def test_phones_are_checked_by_the_lead_forms_validator_and_errors_name_row_and_column(client_for, manager):
    rows = [*ROWS, ["赵六", "", "call me later", "", ""], ["钱七", "", "12", "", ""]]
    client = client_for(manager)
    _location, _data, preview = _upload_and_check(client, rows)
    errors = preview.context["result"]["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(5, "手机"), (6, "手机")]
    assert "valid phone number" in errors[0]["message"]
    assert b'id="confirm-import"' not in preview.content
    form = client.post(reverse("sales:lead-create"), {"name": "x", "phone": "call me later"}).context["form"]
    assert form.errors["phone"] == [errors[0]["message"]]  # the lead form says the same


def test_a_bad_row_is_reported_and_nothing_imported(manager, django_capture_on_commit_callbacks):
    rows = [*ROWS, ["赵六", "", "", "not-an-email", ""]]
    upload = flow.import_upload(LEAD_IMPORT, actor=manager, file=csv_upload(rows))
    with django_capture_on_commit_callbacks(execute=False):
        flow.import_start(
            LEAD_IMPORT, actor=manager, upload=upload, mapping=upload.options["mapping"], duplicate_policy="skip",
            import_valid_rows=False,
        )  # fmt: skip
    tasks.run_lead_import.apply(args=[upload.pk]).get()
    upload.refresh_from_db()
    assert upload.result["error_rows"] == 1 and upload.result["errors"][0]["row"] == 5
    assert not Lead.objects.exists()


def test_someone_elses_lead_upload_and_dry_run_are_404(client_for, manager, other_rep):
    upload = flow.import_upload(LEAD_IMPORT, actor=manager, file=csv_upload(ROWS))
    check = flow.import_check_start(
        LEAD_IMPORT, actor=manager, upload=upload, mapping=upload.options["mapping"], duplicate_policy="skip",
        import_valid_rows=False,
    )  # fmt: skip
    other_rep.user_permissions.add(*manager.groups.get().permissions.filter(codename="import_lead"))
    client = client_for(other_rep)
    assert client.get(reverse("sales:lead-import-map", args=[upload.pk])).status_code == 404
    assert client.get(reverse("sales:lead-import-check", args=[check.pk])).status_code == 404
    # and a customer upload is not a lead upload
    assert client_for(manager).get(reverse("customers:customer-import-map", args=[upload.pk])).status_code == 404


def test_a_file_that_is_not_a_spreadsheet_is_refused(client_for, manager):
    response = client_for(manager).post(
        reverse("sales:lead-import"), {"file": SimpleUploadedFile("leads.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not Job.objects.exists()


def test_reps_cannot_import(client_for, rep_user):
    assert client_for(rep_user).get(reverse("sales:lead-import")).status_code == 403
