"""Importing customers from XLSX/CSV: mapping, dry run, policies, scope, the job and its worker."""

import csv
import io
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from crm import tasks as crm_tasks
from crm.celery import app
from crm.crypto import blind_index
from crm.importexport import bulk, flow
from crm.models import BehaviourLog, Job
from customers import tasks
from customers.dedupe import find_duplicates
from customers.importing import duplicates
from customers.models import Contact, Customer
from customers.search import customer_search
from customers.services import transfer
from customers.services.transfer import CUSTOMER_IMPORT
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

HEADERS = ["客户名称", "联系电话", "电子邮件", "地址", "负责人", "客户等级", "来源", "行业", "标签", "联系人", "手机"]


def xlsx_file(rows, name="customers.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def csv_file(rows, encoding="utf-8", name="customers.csv"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode(encoding))


def good_rows(owner="mona"):
    return [
        HEADERS,
        ["上海华信科技有限公司", "+86 21-6888 1234", "Info@HuaXin.example", "上海市浦东新区", owner, "A – 重点客户",
         "展会", "制造业", "重点客户, 展会", "王建华", "13800138000"],
        ["Northwind Trading Co., Ltd.", "010-8888 0001", "sales@northwind.example", "", "", "B", "Referral",
         "Retail", "", "", ""],
    ]  # fmt: skip


def test_good_xlsx_import_creates_customers_contacts_tags_history_and_one_log_entry(manager, rep_user):
    """Chinese headers are recognised, choices are read by Chinese or English label or code, the owner
    comes from the file (or is the importer), and one behaviour-log entry records the counts."""
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(good_rows(owner="alice")))
    assert (outcome.imported, outcome.created, outcome.error_rows) == (True, 2, 0)
    huaxin = Customer.objects.get(name="上海华信科技有限公司")
    assert (huaxin.owner, huaxin.team, huaxin.created_by) == (rep_user, rep_user.team, manager)
    assert (huaxin.level, huaxin.source, huaxin.industry) == ("A", "exhibition", "manufacturing")
    assert huaxin.email == "Info@HuaXin.example"
    assert sorted(huaxin.tags.values_list("name", flat=True)) == ["展会", "重点客户"]
    contact = Contact.objects.get(customer=huaxin)
    assert (contact.name, contact.mobile, contact.is_primary) == ("王建华", "13800138000", True)
    assert "王建华" in huaxin.search_document
    assert list(customer_search(Customer.objects.all(), "13800138000")) == [huaxin]
    assert huaxin.history.count() == 1 and contact.history.count() == 1
    northwind = Customer.objects.get(name__startswith="Northwind")
    assert (northwind.owner, northwind.level, northwind.source, northwind.industry) == (
        manager,
        "B",
        "referral",
        "retail",
    )
    entries = BehaviourLog.objects.filter(module="customers", detail__import="customers")
    assert entries.count() == 1
    assert entries.get().detail["created"] == 2


def test_imported_mobiles_are_encrypted_at_rest_and_kept_out_of_the_search_text(manager):
    """The import writes with COPY, past save(): the contact's mobile must still reach the database (and its
    history) as ciphertext, and only its keyed hash may make it findable."""
    transfer.customers_import(actor=manager, file=xlsx_file(good_rows()))
    huaxin = Customer.objects.get(name="上海华信科技有限公司")
    contact = Contact.objects.get(customer=huaxin)
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM customers_contact WHERE id = %s", [contact.pk])
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT mobile FROM customers_historicalcontact WHERE id = %s", [contact.pk])
        history = [row[0] for row in cursor.fetchall()]
    assert stored and "13800138000" not in stored
    assert history and all("13800138000" not in value for value in history)
    assert "13800138000" not in huaxin.search_document
    assert contact.mobile_hash == blind_index("13800138000", "phone")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk_imports_the_same_chinese_text(manager, encoding):
    outcome = transfer.customers_import(actor=manager, file=csv_file(good_rows(), encoding=encoding))
    assert outcome.created == 2
    assert Customer.objects.filter(name="上海华信科技有限公司", address="上海市浦东新区").exists()


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_saved(manager):
    rows = good_rows() + [
        ["", "021-1234567", "", "", "", "", "", "", "", "", ""],
        ["Bad Ltd", "call me", "not-an-email", "", "nobody", "Z", "", "", "", "", "13800138000"],
    ]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows))
    assert not outcome.imported
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0
    assert not BehaviourLog.objects.filter(detail__import="customers").exists()
    errors = {(e.row, e.column) for e in outcome.errors}
    assert errors == {(4, "客户名称"), (5, "联系电话"), (5, "电子邮件"), (5, "负责人"), (5, "客户等级")}
    message = next(e.message for e in outcome.errors if e.column == "客户等级")
    assert "“Z” is not one of" in message


def test_contact_details_without_a_contact_name_are_an_error_on_that_column(manager):
    rows = [["名称", "联系人", "手机"], ["Solo Ltd", "", "13800138000"]]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows))
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "联系人")]


def test_import_valid_rows_saves_only_the_good_ones(manager):
    rows = good_rows() + [["Bad Ltd", "call me", "", "", "", "", "", "", "", "", ""]]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows), import_valid_rows=True)
    assert (outcome.imported, outcome.created, outcome.error_rows) == (True, 2, 1)
    assert set(Customer.objects.values_list("name", flat=True)) == {
        "上海华信科技有限公司",
        "Northwind Trading Co., Ltd.",
    }


def test_owner_outside_the_importers_scope_is_a_row_error(manager, far_rep):
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(good_rows(owner="carol")))
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "负责人")]
    assert "carol" in outcome.errors[0].message


@pytest.fixture
def existing(manager):
    """A customer the file's first row duplicates by phone written differently and e-mail in other case."""
    return CustomerFactory(
        name="华信科技 (旧名)", owner=manager, phone="(021) 6888-1234", email="info@huaxin.example", level="C"
    )


@pytest.mark.parametrize(
    "policy, created, updated, skipped, customers",
    [("skip", 1, 0, 1, 2), ("update", 1, 1, 0, 2), ("create", 2, 0, 0, 3)],
)
def test_duplicate_policies(manager, existing, policy, created, updated, skipped, customers):
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(good_rows()), duplicate_policy=policy)
    assert (outcome.created, outcome.updated, outcome.skipped) == (created, updated, skipped)
    assert Customer.objects.count() == customers
    existing.refresh_from_db()
    if policy == "update":
        assert (existing.name, existing.level, existing.source) == ("上海华信科技有限公司", "A", "exhibition")
        assert existing.contacts.get().name == "王建华"
        assert "王建华" in existing.search_document
        assert existing.history.count() == 2  # the update is in the field history
    else:
        assert (existing.name, existing.level) == ("华信科技 (旧名)", "C")


def test_duplicates_by_name_and_within_the_file(manager, scope_size):
    CustomerFactory(name="ACME  Trading", owner=manager, phone="", email="")
    rows = [["Name", "Phone"], ["acme trading", ""], ["Globex", "0571-88886666"], ["Globex Two", "+86 571 8888 6666"]]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows))
    assert (outcome.created, outcome.skipped) == (1, 2)
    assert Customer.objects.filter(name__startswith="Globex").count() == 1


@pytest.fixture(params=["preloaded", "asked per batch"])
def scope_size(request, monkeypatch):
    """Duplicates are found the same way whether the importer's scope is read at once or asked per batch."""
    if request.param == "asked per batch":
        monkeypatch.setattr(duplicates, "PRELOAD_MAX_CUSTOMERS", 0)
    return request.param


def test_a_contact_mobile_an_existing_contact_has_is_a_duplicate_under_another_company_name(manager, scope_size):
    """The entry form's duplicate check matches a contact's mobile, and so does the import: the same person
    under another company name is not imported again."""
    existing = CustomerFactory(name="杭州云杉智能科技有限公司", owner=manager, phone="", email="")
    ContactFactory(customer=existing, name="王建华", mobile="13800138000")
    assert find_duplicates(user=manager, name="云杉 (杭州) 分公司", phone="+86 138 0013 8000") == [existing]
    rows = [["客户名称", "联系人", "手机"], ["云杉 (杭州) 分公司", "王建华", "+86 138 0013 8000"]]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows))
    assert (outcome.created, outcome.skipped) == (0, 1)
    assert Customer.objects.count() == 1


def test_a_contact_mobile_matching_an_existing_customers_phone_is_a_duplicate(manager, scope_size):
    existing = CustomerFactory(name="Globex", owner=manager, phone="138 0013 8000", email="")
    rows = [["Name", "Contact name", "Contact mobile"], ["Initech", "Li Lei", "13800138000"]]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows), duplicate_policy="update")
    assert (outcome.created, outcome.updated) == (0, 1)
    assert existing.contacts.get().name == "Li Lei"


def test_a_name_with_a_legal_form_ending_is_the_same_customer_as_in_the_entry_forms_check(manager, scope_size):
    """The import reads names with dedupe's normalise_name, not a folding of its own."""
    existing = CustomerFactory(name="ACME Trading", owner=manager, phone="", email="")
    rows = [["Name"], ["ACME Trading Co., Ltd."], ["上海华信科技有限公司"], ["上海华信科技"]]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows))
    assert (outcome.created, outcome.skipped) == (1, 2)
    assert set(Customer.objects.values_list("name", flat=True)) == {existing.name, "上海华信科技有限公司"}


def test_rows_of_one_file_sharing_a_contact_mobile_are_imported_once(manager):
    rows = [["客户名称", "联系人", "手机"], ["甲公司", "王建华", "13800138000"], ["乙公司", "王建华", "138-0013-8000"]]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows))
    assert (outcome.created, outcome.skipped) == (1, 1)
    assert list(Customer.objects.values_list("name", flat=True)) == ["甲公司"]


def test_a_contact_mobile_outside_the_importers_scope_is_not_a_duplicate(manager, far_rep):
    ContactFactory(customer=CustomerFactory(name="Far Ltd", owner=far_rep), mobile="13800138000")
    rows = [["Name", "Contact name", "Contact mobile"], ["Near Ltd", "Li Lei", "13800138000"]]
    assert transfer.customers_import(actor=manager, file=xlsx_file(rows)).created == 1


def test_customers_outside_the_importers_scope_are_not_duplicates(manager, far_rep, scope_size):
    CustomerFactory(name="上海华信科技有限公司", owner=far_rep, phone="021-68881234")
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(good_rows()))
    assert outcome.created == 2


def test_dry_run_counts_errors_and_previews_without_saving(manager, existing):
    rows = good_rows() + [["Bad Ltd", "call me", "", "", "", "", "", "", "", "", ""]]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows), dry_run=True)
    assert (outcome.created, outcome.skipped, outcome.error_rows) == (1, 1, 1)
    assert Customer.objects.count() == 1
    assert [p["action"] for p in outcome.preview] == ["skip", "create"]


# -- pages -----------------------------------------------------------------------------------------


def test_rep_without_the_import_permission_gets_403(client_for, rep_user):
    assert client_for(rep_user).get(reverse("customers:customer-import")).status_code == 403


def test_upload_guesses_the_mapping_from_chinese_headers(client_for, manager):
    client = client_for(manager)
    response = client.post(reverse("customers:customer-import"), {"file": xlsx_file(good_rows())})
    job = Job.objects.get(user=manager)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-import-map", args=[job.pk])
    form = client.get(response["Location"]).context["form"]
    guessed = [form[name].initial for name in form.column_names]
    assert guessed == ["name", "phone", "email", "address", "owner", "level", "source", "industry", "tags",
                       "contact_name", "contact_mobile"]  # fmt: skip


def test_oversize_upload_is_refused_with_a_clear_message(client_for, manager, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = client_for(manager).post(
        reverse("customers:customer-import"), {"file": csv_file([["name"]] + [["x" * 50]] * 40)}
    )
    assert response.status_code == 200
    assert "larger than the limit of 1000" in response.context["form"].errors["file"][0]
    assert not Job.objects.exists()


def _mapping_post(form, **extra):
    data = {name: form[name].initial for name in form.column_names}
    data.update({"duplicate_policy": "skip"}, **extra)
    return data


def _dry_run(client, location, data):
    """Post the columns and options; the dry run is a job (run here as the worker would), then its page."""
    response = client.post(location, data)
    check = Job.objects.filter(dry_run=True).latest("pk")
    assert response["Location"] == reverse("customers:customer-import-check", args=[check.pk])
    tasks.run_customer_import.apply(args=[check.pk])
    return client.get(response["Location"])


def test_dry_run_page_then_confirm_queues_the_job_once(client_for, manager, django_capture_on_commit_callbacks):
    client = client_for(manager)
    rows = good_rows() + [["Bad Ltd", "call me", "", "", "", "", "", "", "", "", ""]]
    location = client.post(reverse("customers:customer-import"), {"file": xlsx_file(rows)})["Location"]
    data = _mapping_post(client.get(location).context["form"])
    response = _dry_run(client, location, data)
    assert response.templates[0].name == "crm/import/preview.html"
    assert response.context["result"]["errors"] == [{"row": 4, "column": "联系电话", "message": response.context[
        "result"]["errors"][0]["message"]}]  # fmt: skip
    assert b'id="confirm-import"' not in response.content  # a file with errors imports nothing by default
    data["import_valid_rows"] = "on"
    response = _dry_run(client, location, data)
    assert b'id="confirm-import"' in response.content
    assert f'action="{location}"'.encode() in response.content  # confirmed on the upload's page, not the dry run's
    assert Customer.objects.count() == 0
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(location, {**data, "confirm": "1"})
        client.post(location, {**data, "confirm": "1"})
    job = Job.objects.get(dry_run=False)
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    assert len(callbacks) == 1
    assert job.status == Job.Status.QUEUED and job.options["import_valid_rows"]
    assert (job.file_name, job.language) == ("customers.xlsx", "en")


def test_someone_elses_import_job_is_404(client_for, manager, other_rep):
    job = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=xlsx_file(good_rows()))
    other_rep.user_permissions.add(*manager.groups.get().permissions.filter(codename="import_customer"))
    assert client_for(other_rep).get(reverse("customers:customer-import-map", args=[job.pk])).status_code == 404


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_job_runs_on_a_real_worker_with_progress_result_and_error_report(manager):
    rows = [HEADERS] + [[f"客户 {i}", f"021-6{i:07d}", "", "", "", "", "", "", "", "", ""] for i in range(2500)]
    rows.append(["Bad Ltd", "call me", "", "", "", "", "", "", "", "", ""])
    job = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=xlsx_file(rows))
    form_mapping = {int(k): v for k, v in job.options["mapping"].items()}
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        flow.import_start(
            CUSTOMER_IMPORT,
            actor=manager,
            upload=job,
            mapping=form_mapping,
            duplicate_policy="skip",
            import_valid_rows=True,
        )
        job.refresh_from_db()
        for _ in range(300):
            job.refresh_from_db()
            if job.status in (Job.Status.DONE, Job.Status.FAILED):
                break
            time.sleep(0.1)
    assert job.status == Job.Status.DONE, job.error
    assert (job.processed, job.total) == (2501, 2501)
    assert job.result["created"] == 2500 and job.result["error_rows"] == 1
    assert job.result["errors"][0]["row"] == 2502
    assert Customer.objects.count() == 2500
    report = load_workbook(job.output_file.open("rb")).active
    assert [list(r) for r in report.iter_rows(min_row=2, values_only=True)][0][:2] == [2502, "联系电话"]

    # The same job delivered again imports nothing twice.
    assert tasks.run_customer_import.apply(args=[job.pk]).get() == Job.Status.DONE
    assert Customer.objects.count() == 2500
    assert BehaviourLog.objects.filter(detail__import="customers").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_being_run_elsewhere_is_not_run_again(manager):
    """While one worker holds the job, a second delivery does nothing (and a later one still can)."""
    from django.db import connections

    from crm.importexport import jobs

    job = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=xlsx_file(good_rows()))
    job.status = Job.Status.QUEUED
    job.save()
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [jobs._LOCK_CLASS, job.pk])
        transfer.customer_import_run(job_id=job.pk)
        assert Customer.objects.count() == 0
        cursor.execute("ROLLBACK")
    other.close()
    transfer.customer_import_run(job_id=job.pk)
    assert Customer.objects.count() == 2


def test_the_dry_run_is_queued_as_a_job_not_run_in_the_request(client_for, manager, django_capture_on_commit_callbacks):
    client = client_for(manager)
    location = client.post(reverse("customers:customer-import"), {"file": xlsx_file(good_rows())})["Location"]
    data = _mapping_post(client.get(location).context["form"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(location, data)
    check = Job.objects.get(dry_run=True)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the Celery task, queued once the request commits
    assert (check.status, check.result, check.processed) == (Job.Status.QUEUED, {}, 0)  # nothing checked yet
    assert check.parent == Job.objects.exclude(pk=check.pk).get()
    assert check.parent.status == Job.Status.PENDING  # the upload waits for the user

    # While it runs, the page shows the shared progress bar, polling this page.
    page = client.get(response["Location"])
    assert page.templates[0].name == "crm/import/check.html"
    assert f'hx-get="{response["Location"]}"'.encode() in page.content
    assert b'id="confirm-import"' not in page.content
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "crm/partials/job_progress.html"

    tasks.run_customer_import.apply(args=[check.pk])
    check.refresh_from_db()
    assert (check.status, check.result["created"], check.result["dry_run"]) == (Job.Status.DONE, 2, True)
    assert Customer.objects.count() == 0
    assert client.get(response["Location"], HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    assert b'id="confirm-import"' in client.get(response["Location"]).content


def test_someone_elses_dry_run_is_404(client_for, manager, other_rep):
    job = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=xlsx_file(good_rows()))
    check = flow.import_check_start(
        CUSTOMER_IMPORT,
        actor=manager,
        upload=job,
        mapping={0: "name"},
        duplicate_policy="skip",
        import_valid_rows=False,
    )
    other_rep.user_permissions.add(*manager.groups.get().permissions.filter(codename="import_customer"))
    url = reverse("customers:customer-import-check", args=[check.pk])
    assert client_for(other_rep).get(url).status_code == 404
    assert client_for(manager).get(url).status_code == 200


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dry_run_runs_on_a_real_worker_with_progress_and_saves_nothing(manager):
    rows = [HEADERS] + [[f"客户 {i}", f"021-6{i:07d}", "", "", "", "", "", "", "", "", ""] for i in range(2500)]
    job = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=xlsx_file(rows))
    mapping = {int(k): v for k, v in job.options["mapping"].items()}
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        check = flow.import_check_start(
            CUSTOMER_IMPORT,
            actor=manager,
            upload=job,
            mapping=mapping,
            duplicate_policy="skip",
            import_valid_rows=False,
        )
        for _ in range(300):
            check.refresh_from_db()
            if check.status in (Job.Status.DONE, Job.Status.FAILED):
                break
            time.sleep(0.1)
    assert check.status == Job.Status.DONE, check.error
    assert (check.processed, check.total) == (2500, 2500)
    assert (check.result["created"], check.result["imported"]) == (2500, False)
    assert Customer.objects.count() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.source_file  # the upload still waits for confirmation


def _age(job, hours):
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=hours))


def test_unconfirmed_uploads_are_purged_with_their_files_and_dry_runs_after_the_age(manager, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.IMPORT_WAITING_MAX_AGE_HOURS = 24
    stale = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=xlsx_file(good_rows()))
    check = flow.import_check_start(
        CUSTOMER_IMPORT,
        actor=manager,
        upload=stale,
        mapping={0: "name"},
        duplicate_policy="skip",
        import_valid_rows=False,
    )
    fresh = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=xlsx_file(good_rows()))
    confirmed = flow.import_upload(CUSTOMER_IMPORT, actor=manager, file=xlsx_file(good_rows()))
    flow.import_start(
        CUSTOMER_IMPORT,
        actor=manager,
        upload=confirmed,
        mapping={0: "name"},
        duplicate_policy="skip",
        import_valid_rows=False,
    )
    for job in (stale, check, confirmed):
        _age(job, 25)
    _age(fresh, 23)
    stale_file = tmp_path / stale.source_file.name
    assert stale_file.exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert crm_tasks.purge_waiting_uploads.apply().get() == 1

    assert set(Job.objects.values_list("pk", flat=True)) == {fresh.pk, confirmed.pk}
    assert not stale_file.exists()
    assert (tmp_path / fresh.source_file.name).exists()
    assert (tmp_path / confirmed.source_file.name).exists()  # queued: the worker may just be behind


def test_the_purge_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-waiting-imports"]
    assert entry["task"] == crm_tasks.purge_waiting_uploads.name
    assert settings.IMPORT_WAITING_MAX_AGE_HOURS == 24


def test_tabs_line_breaks_and_backslashes_in_cells_arrive_unchanged(manager):
    """Rows go to PostgreSQL as COPY text built by hand: its escapes must hold for every special character."""
    notes = 'Line one\nLine two\twith a tab, a back\\slash, \\N and a "quote"'
    rows = [["客户名称", "备注", "地址"], ["转义测试有限公司", notes, "C:\\temp\r\n"]]
    outcome = transfer.customers_import(actor=manager, file=csv_file(rows))
    assert outcome.created == 1, outcome.errors
    customer = Customer.objects.get(name="转义测试有限公司")
    assert customer.notes == notes
    assert customer.address == "C:\\temp"  # the cell is stripped, as every cell is
    assert customer.history.get().notes == notes


def test_a_web_address_longer_than_the_column_is_a_row_error_not_a_failed_import(manager):
    long_url = "https://example.com/" + "a" * 200
    rows = [["客户名称", "网站"], ["长网址有限公司", long_url], ["短网址有限公司", "example.cn"]]
    outcome = transfer.customers_import(actor=manager, file=csv_file(rows), import_valid_rows=True)
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "网站")]
    assert "200" in outcome.errors[0].message
    assert list(Customer.objects.values_list("website", flat=True)) == ["https://example.cn"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_index_entries_wait_in_the_pending_list_while_an_import_writes():
    """Inside the import's writes the trigram indexes are not merged every 4 MB (PostgreSQL's default);
    the setting is the transaction's own and ends with it."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW gin_pending_list_limit")
        default = cursor.fetchone()[0]
    with transaction.atomic():
        with bulk.background_copies(), connection.cursor() as cursor:
            cursor.execute("SHOW gin_pending_list_limit")
            assert cursor.fetchone()[0] == "1GB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW gin_pending_list_limit")
        assert cursor.fetchone()[0] == default


def test_the_merge_after_an_import_empties_the_pending_list_and_search_still_finds_everyone(
    manager, django_capture_on_commit_callbacks
):
    rows = [HEADERS] + [[f"合并索引测试{i}有限公司", f"021-6{i:07d}", "", "", "", "", "", "", "", "", ""]
                        for i in range(300)]  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        transfer.customers_import(actor=manager, file=xlsx_file(rows))
    assert len(callbacks) == 1  # the merge, queued once the import has committed
    assert customer_search(Customer.objects.all(), "合并索引测试123").count() == 1  # read from the pending list
    names = ["customer_search_trgm", "customer_name_trgm"]

    assert crm_tasks.merge_index_entries.apply(args=[names]).get() > 0
    assert crm_tasks.merge_index_entries.apply(args=[names]).get() == 0
    assert customer_search(Customer.objects.all(), "合并索引测试123").count() == 1
    assert customer_search(Customer.objects.all(), "合并索引测试").count() == 300


def test_an_import_that_only_updates_still_has_the_search_index_merged(
    manager, existing, django_capture_on_commit_callbacks
):
    rows = good_rows()[:2]  # the header and the row that duplicates ``existing``
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows), duplicate_policy="update")
    assert (outcome.created, outcome.updated) == (0, 1)
    assert len(callbacks) == 1


def test_chinese_and_english_choice_words_are_read_and_the_preview_shows_labels_in_the_users_language(manager):
    from django.utils import translation

    rows = [
        ["客户名称", "行业", "客户等级", "来源", "类型"],
        ["甲医院", "医疗", "重点客户", "展会", "企业"],
        ["乙软件", "软件", "b", "REFERRAL", "Company"],
        ["丙物流", "Logistics", "C", "website", "company"],
    ]
    with translation.override("zh-hans"):
        preview = transfer.customers_import(actor=manager, file=xlsx_file(rows), dry_run=True)
    assert preview.error_rows == 0, preview.errors
    assert {"医疗健康", "公司"} <= set(preview.preview[0]["values"])
    assert not {"healthcare", "it", "logistics", "exhibition"} & {v for p in preview.preview for v in p["values"]}
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows))
    assert outcome.error_rows == 0
    assert list(Customer.objects.order_by("name").values_list("name", "industry")) == [
        ("丙物流", "logistics"), ("乙软件", "it"), ("甲医院", "healthcare"),
    ]  # fmt: skip
