"""The behaviour-log viewer (用户行为日志): filters, XLSX and PDF export, and the alerts it feeds."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crm.audit import log_action
from crm.models import BehaviourLog, Notification
from tests.factories import UserFactory

from .factories import administrator

pytestmark = pytest.mark.django_db
URL = "security:behaviour-log"


def entry(user, action, module="customers", days_ago=0, **kwargs):
    row = log_action(actor=user, action=action, module=module, **kwargs)
    if days_ago:
        BehaviourLog.objects.filter(pk=row.pk).update(at=timezone.now() - timedelta(days=days_ago))
    return row


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(administrator())
    return client


@pytest.fixture
def log(rep_user, other_rep):
    entry(rep_user, BehaviourLog.Action.CREATE, detail={}, days_ago=10)
    entry(rep_user, BehaviourLog.Action.DELETE)
    entry(other_rep, BehaviourLog.Action.EXPORT, module="sales")
    entry(other_rep, BehaviourLog.Action.UPDATE, days_ago=3)


def shown(response):
    # Signing the administrator in writes an entry of its own; the tests look at the others.
    return [(e.username, e.action) for e in response.context["page"] if e.action != "login"]


def test_only_administrators_see_the_log(client_for, rep_user, admin_client):
    assert client_for(rep_user).get(reverse(URL)).status_code == 403
    assert client_for(rep_user).get(reverse("security:behaviour-log-export", args=["xlsx"])).status_code == 403
    assert admin_client.get(reverse(URL)).status_code == 200


def test_filters_by_user_action_module_and_time(admin_client, log, rep_user):
    assert len(shown(admin_client.get(reverse(URL)))) == 4
    assert shown(admin_client.get(reverse(URL), {"user": rep_user.pk})) == [("alice", "delete"), ("alice", "create")]
    assert shown(admin_client.get(reverse(URL), {"action": "export"})) == [("bob", "export")]
    assert shown(admin_client.get(reverse(URL), {"module": "sales"})) == [("bob", "export")]
    since = (timezone.localdate() - timedelta(days=5)).isoformat()
    until = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert shown(admin_client.get(reverse(URL), {"since": since, "until": until})) == [("bob", "update")]


def test_a_reversed_date_range_is_named(admin_client, log):
    response = admin_client.get(reverse(URL), {"since": "2026-02-01", "until": "2026-01-01"})
    assert "until" in response.context["form"].errors


def test_htmx_filter_returns_only_the_table(admin_client, log):
    response = admin_client.get(reverse(URL), {"action": "delete"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "security/partials/behaviour_log_table.html"


def test_list_query_count_stays_flat(admin_client, rep_user, django_assert_max_num_queries):
    for _ in range(5):
        entry(rep_user, BehaviourLog.Action.UPDATE)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(reverse(URL))
    for _ in range(40):
        entry(rep_user, BehaviourLog.Action.UPDATE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(reverse(URL))


def test_xlsx_export_holds_the_filtered_rows_and_is_logged(admin_client, log):
    response = admin_client.get(reverse("security:behaviour-log-export", args=["xlsx"]), {"module": "customers"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Time", "User", "Action")
    assert sorted(r[2] for r in rows[1:]) == ["Created", "Deleted", "Updated"]
    assert BehaviourLog.objects.filter(action="export", module="security", detail__rows=3).exists()


def test_pdf_export_renders_chinese(admin_client, rep_user):
    entry(rep_user, BehaviourLog.Action.UPDATE, detail={}, username=None)
    BehaviourLog.objects.update(object_repr="上海某某科技有限公司")
    response = admin_client.get(reverse("security:behaviour-log-export", args=["pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"STSong-Light" in response.content


def test_export_refuses_an_unknown_format(admin_client):
    assert admin_client.get(reverse("security:behaviour-log-export", args=["exe"])).status_code == 404


def test_burst_of_failed_sign_ins_alerts_administrators_once(client, settings):
    admin = administrator()
    settings.ALERT_FAILED_LOGINS = 3
    settings.AXES_FAILURE_LIMIT = 100
    for _ in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": "ghost", "password": "x", "captcha_0": "k", "captcha_1": "PASSED"},
            REMOTE_ADDR="10.66.0.1",
        )
    alerts = Notification.objects.filter(user=admin, title="Burst of failed sign-ins")
    # One for the address and one for the user name, each once however long the burst goes on.
    assert alerts.count() == 2
    assert len([m for m in mail.outbox if m.subject == "Burst of failed sign-ins"]) == 2


def test_bulk_deletes_and_large_exports_alert_administrators_once(settings, rep_user):
    admin = administrator()
    settings.ALERT_DELETES, settings.ALERT_EXPORT_ROWS = 3, 100
    for _ in range(6):
        entry(rep_user, BehaviourLog.Action.DELETE)
    assert Notification.objects.filter(user=admin, title="Bulk deletion").count() == 1
    entry(rep_user, BehaviourLog.Action.EXPORT, detail={"rows": 99, "dataset": "customers"})
    entry(rep_user, BehaviourLog.Action.EXPORT, detail={"rows": 500, "dataset": "customers"})
    assert Notification.objects.filter(user=admin, title="Large export").count() == 1
    assert not Notification.objects.filter(user=rep_user).exists()


def test_retention_purge_removes_old_entries(settings, rep_user):
    from crm.tasks import purge_behaviour_log

    settings.BEHAVIOUR_LOG_RETENTION_DAYS = 30
    entry(rep_user, BehaviourLog.Action.UPDATE, days_ago=31)
    entry(rep_user, BehaviourLog.Action.UPDATE, days_ago=29)
    assert purge_behaviour_log() == 1
    assert BehaviourLog.objects.count() == 1


def test_a_deactivated_administrator_gets_no_alerts(settings, rep_user):
    gone = UserFactory(username="gone", is_superuser=True, is_active=False)
    settings.ALERT_EXPORT_ROWS = 1
    entry(rep_user, BehaviourLog.Action.EXPORT, detail={"rows": 5})
    assert not Notification.objects.filter(user=gone).exists()


def test_a_large_xlsx_export_runs_as_a_background_job(settings, admin_client, log, django_capture_on_commit_callbacks):
    from crm.models import Job
    from security.tasks import run_behaviour_log_export

    settings.EXPORT_SYNC_MAX_ROWS = 2
    url = reverse("security:behaviour-log-export", args=["xlsx"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.get(url, {"module": "customers"})
    job = Job.objects.get(dataset="behaviour_log")
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert len(callbacks) == 1

    assert run_behaviour_log_export(job.pk) == Job.Status.DONE
    job.refresh_from_db()
    rows = list(load_workbook(job.output_file.open("rb")).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 3 and job.result["rows"] == 3
    assert run_behaviour_log_export(job.pk) == Job.Status.DONE  # a retried task does nothing twice
    assert BehaviourLog.objects.filter(action="export", module="security").count() == 1

    pdf = admin_client.get(reverse("security:behaviour-log-export", args=["pdf"]))
    assert pdf.status_code == 302 and Job.objects.filter(options__format="pdf").count() == 1


def test_a_pdf_of_more_than_one_page_runs_as_a_job_with_progress(
    settings, admin_client, rep_user, django_capture_on_commit_callbacks
):
    """Beyond one page of the log (50 entries) the PDF is a background job: the request answers at once with the
    job page, the job reports its progress as it draws the pages and stores a PDF that shows markup as text."""
    from pypdf import PdfReader

    from crm.models import Job
    from security.tasks import run_behaviour_log_export

    for _ in range(1200):
        entry(rep_user, BehaviourLog.Action.UPDATE, detail={})
    BehaviourLog.objects.update(object_repr='<img src="/etc/passwd"> 上海华信科技有限公司 & <a href="x">y</a>')
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.get(reverse("security:behaviour-log-export", args=["pdf"]), {"module": "customers"})
    job = Job.objects.get(dataset="behaviour_log")
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert len(callbacks) == 1 and job.options["format"] == "pdf" and job.status == Job.Status.QUEUED

    assert run_behaviour_log_export(job.pk) == Job.Status.DONE
    job.refresh_from_db()
    assert (job.total, job.processed, job.result["rows"]) == (1200, 1200, 1200)
    assert job.output_file.name.endswith(".pdf")
    reader = PdfReader(job.output_file.open("rb"))
    assert len(reader.pages) > 20
    text = "".join(reader.pages[3].extract_text().split())
    assert '<imgsrc="/etc/passwd">上海华信科技有限公司&<ahref="x">y</a>' in text
    assert all("/Annots" not in page for page in reader.pages)
    assert BehaviourLog.objects.filter(action="export", module="security", detail__format="pdf").count() == 1


def test_a_pdf_beyond_its_cap_is_refused_with_a_word_on_xlsx(settings, admin_client, log):
    settings.EXPORT_SYNC_MAX_ROWS, settings.EXPORT_PDF_MAX_ROWS = 1, 2
    response = admin_client.get(reverse("security:behaviour-log-export", args=["pdf"]), follow=True)
    assert b"export XLSX instead" in response.content
    from crm.models import Job

    assert not Job.objects.exists()


def test_the_module_filter_offers_each_module_once(rep_user):
    """The modules are read without the log's default order (DISTINCT over module and time listed a module once
    per entry and read every entry into memory)."""
    from security.selectors import behaviour_log_modules

    for days_ago in (0, 1, 2):
        entry(rep_user, BehaviourLog.Action.UPDATE, module="customers", days_ago=days_ago)
    entry(rep_user, BehaviourLog.Action.UPDATE, module="sales")
    assert behaviour_log_modules() == ["customers", "sales"]


def test_a_pdf_job_is_asked_for_without_reading_the_whole_log(
    settings, admin_client, rep_user, django_assert_max_num_queries
):
    """The request that starts a PDF job answers at once: a capped count, the job, no list of every module."""
    for _ in range(60):
        entry(rep_user, BehaviourLog.Action.UPDATE, module="sales")
    with django_assert_max_num_queries(12) as queries:
        response = admin_client.get(reverse("security:behaviour-log-export", args=["pdf"]), {"module": "sales"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)
