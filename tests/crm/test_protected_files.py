"""Stored files reach a user only through a view that checks the job owner or the record scope.

An outside test downloaded the manager's export, import error reports and another rep's contract file from
``/media/…`` under ``make run`` (predictable names, served to anyone signed in). Now no settings mode has a
``/media/`` route, stored names carry a random directory, and the checking views hand out the bytes.
"""

import importlib
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from accounts import roles
from crm.jobs import job_create, job_finish
from crm.models import Job
from sales.models import ContractFile
from tests.factories import UserFactory
from tests.sales.factories import ContractFactory

RANDOM_DIRECTORY = re.compile(r"/[0-9a-f]{32}/")


@pytest.fixture
def development_urls(settings):
    """The URL configuration as ``make run`` builds it (DEBUG on), where the media route used to be added."""
    import crm.urls

    settings.DEBUG = True
    importlib.reload(crm.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(crm.urls)
    clear_url_caches()


def _finished_job(user, *, kind, name, content=b"name,phone\nACME,13800138000\n"):
    job = job_create(user=user, kind=kind, dataset="customers")
    job_finish(job, result={"rows": 1}, output_name=name, output=ContentFile(content))
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_no_settings_mode_serves_media_at_a_url(development_urls, settings):
    assert settings.MEDIA_URL == "/media/"
    with pytest.raises(Resolver404):
        resolve("/media/jobs/out/2026/01/customers-20260101-120000.csv")


@pytest.mark.django_db
def test_a_rep_cannot_download_the_managers_export_or_error_report_by_guessing(
    development_urls, client_for, manager, rep_user
):
    export = _finished_job(manager, kind=Job.Kind.EXPORT, name="customers-20260101-120000.csv")
    report = _finished_job(manager, kind=Job.Kind.IMPORT, name="customers-import-errors-1.xlsx", content=b"errors")
    assert RANDOM_DIRECTORY.search(export.output_file.name) and RANDOM_DIRECTORY.search(report.output_file.name)

    client = client_for(rep_user)
    for job in (export, report):
        # The stored name itself, and the name as it used to be (no random directory), both lead nowhere.
        guessed = RANDOM_DIRECTORY.sub("/", job.output_file.name)
        assert client.get(f"/media/{job.output_file.name}").status_code == 404
        assert client.get(f"/media/{guessed}").status_code == 404
        assert client.get(reverse("job-download", args=[job.pk])).status_code == 404

    response = client_for(manager).get(reverse("job-download", args=[export.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"name,phone")
    assert response["Content-Disposition"] == 'attachment; filename="customers-20260101-120000.csv"'
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_a_rep_cannot_download_another_reps_contract_file(development_urls, client_for, rep_user, far_rep):
    contract = ContractFactory(owner=far_rep)
    attached = ContractFile(contract=contract, name="signed.pdf", size=9, uploaded_by=far_rep)
    attached.file.save("signed.pdf", ContentFile(b"%PDF-1.4 contract"), save=True)
    assert RANDOM_DIRECTORY.search(attached.file.name)

    client = client_for(rep_user)
    assert client.get(f"/media/{attached.file.name}").status_code == 404
    url = reverse("sales:contract-file", args=[contract.pk, attached.pk])
    assert client.get(url).status_code == 404
    assert client_for(far_rep).get(url).status_code == 200


@pytest.mark.django_db
def test_equal_names_get_different_unguessable_places(rep_user):
    first = _finished_job(rep_user, kind=Job.Kind.EXPORT, name="customers-20260101-120000.csv")
    second = _finished_job(rep_user, kind=Job.Kind.EXPORT, name="customers-20260101-120000.csv")
    assert first.output_file.name != second.output_file.name
    assert first.output_file.name.endswith("/customers-20260101-120000.csv")
    with pytest.raises(ValueError, match="no public address"):
        first.output_file.url  # noqa: B018 - the attribute access is what must fail


@pytest.mark.django_db
def test_behind_a_web_server_the_view_hands_over_the_file_after_the_check(settings, client_for, rep_user):
    """FILE_DELIVERY=accel: the view checks, then names the file for nginx's internal location to send."""
    settings.FILE_DELIVERY = "accel"
    job = _finished_job(rep_user, kind=Job.Kind.EXPORT, name="customers-20260101-120000.csv")
    response = client_for(rep_user).get(reverse("job-download", args=[job.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-files/{job.output_file.name}"
    other = UserFactory(username="zed", role=roles.SALES_REP)
    assert "X-Accel-Redirect" not in client_for(other).get(reverse("job-download", args=[job.pk]))
