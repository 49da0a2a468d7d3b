"""The shared import pages (upload → columns → dry run → import), mounted by each app for its flow.

An app's ``urls.py`` adds ``*import_urls(FLOW, "import/")``; the views check the flow's permission and
call the services of :mod:`.flow`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from crm.forms import apply_validation_error
from crm.models import Job

from . import flow as services
from .forms import ImportMappingForm, ImportUploadForm


def _allowed(request, flow):
    if not request.user.has_perm(flow.permission):
        raise PermissionDenied


def _context(flow, **context):
    return {"flow": flow, "map_url": flow.step_url("map"), **context}


def upload(request, *, flow):
    _allowed(request, flow)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_upload(flow, actor=request.user, file=form.cleaned_data["file"])
        except ValidationError as error:
            apply_validation_error(form, ValidationError({"file": error.messages}))
        else:
            return redirect(flow.step_url("map"), pk=job.pk)
    return render(request, "crm/import/upload.html", _context(flow, form=form))


def mapping(request, pk, *, flow):
    """GET: the guessed column mapping and options. POST: a dry run, or with ``confirm`` the real import."""
    _allowed(request, flow)
    upload = services.waiting_upload_get(flow, user=request.user, pk=pk)
    if upload.status != Job.Status.PENDING:
        return redirect("job-detail", pk=upload.pk)
    form = ImportMappingForm.for_job(request.POST or None, flow=flow, upload=upload)
    if request.method == "POST" and form.is_valid():
        options = {key: form.cleaned_data[key] for key in ("mapping", "duplicate_policy", "import_valid_rows")}
        try:
            if "confirm" in request.POST:
                services.import_start(flow, actor=request.user, upload=upload, **options)
                messages.success(request, _("The import has started; this page shows its progress."))
                return redirect("job-detail", pk=upload.pk)
            check = services.import_check_start(flow, actor=request.user, upload=upload, **options)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect(flow.step_url("check"), pk=check.pk)
    return render(request, "crm/import/mapping.html", _context(flow, form=form, job=upload))


def check(request, pk, *, flow):
    """The dry run of an upload: its progress while it runs, then the preview with the button to import."""
    _allowed(request, flow)
    check = services.dry_run_get(flow, user=request.user, pk=pk)
    upload = check.parent
    if upload.status != Job.Status.PENDING:
        return redirect("job-detail", pk=upload.pk)
    context = _context(flow, job=upload, check=check)
    if check.status != Job.Status.DONE:
        if request.htmx:
            return render(request, "crm/partials/job_progress.html", {"job": check, "poll_url": request.path})
        return render(request, "crm/import/check.html", context)
    if request.htmx:  # the poll that sees the end loads the whole preview
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    form = ImportMappingForm.for_job(None, flow=flow, upload=upload, options=check.options)
    form.is_valid()
    return render(request, "crm/import/preview.html", {**context, "form": form, "result": check.result})


def import_urls(flow, prefix: str) -> list:
    """The three pages of ``flow`` under ``prefix`` ("import/"), named as ``flow.url_name`` says."""
    name = flow.url_name.split(":")[-1]
    return [
        path(prefix, upload, {"flow": flow}, name=name),
        path(f"{prefix}<int:pk>/", mapping, {"flow": flow}, name=f"{name}-map"),
        path(f"{prefix}checks/<int:pk>/", check, {"flow": flow}, name=f"{name}-check"),
    ]
