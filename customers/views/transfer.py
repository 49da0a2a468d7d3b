"""Customer import (upload → columns and options → dry run → confirm → progress) and export."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm.forms import apply_validation_error
from crm.importexport.exports import attachment
from crm.jobs import job_get
from crm.models import Job

from .. import selectors_transfer
from ..forms_transfer import ExportForm, ImportMappingForm, ImportUploadForm
from ..importing import DATASET
from ..services import transfer


@permission_required("customers.import_customer", raise_exception=True)
def customer_import(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = transfer.customer_import_upload(actor=request.user, file=form.cleaned_data["file"])
        except ValidationError as error:
            apply_validation_error(form, ValidationError({"file": error.messages}))
        else:
            return redirect("customers:customer-import-map", pk=job.pk)
    return render(request, "customers/customer_import.html", {"form": form})


def _waiting_import(request, pk) -> Job:
    job = job_get(user=request.user, pk=pk)
    if job.kind != Job.Kind.IMPORT or job.dataset != DATASET:
        raise Http404
    return job


@permission_required("customers.import_customer", raise_exception=True)
def customer_import_map(request, pk):
    """GET: the guessed column mapping and options. POST: a dry run, or with ``confirm`` the real import."""
    job = _waiting_import(request, pk)
    if job.status != Job.Status.PENDING or job.options.get("queued"):
        return redirect("job-detail", pk=job.pk)
    form = ImportMappingForm(
        request.POST or None, headers=job.options.get("headers", []), initial_mapping=job.options.get("mapping")
    )
    if request.method == "POST" and form.is_valid():
        options = {
            "mapping": form.cleaned_data["mapping"],
            "duplicate_policy": form.cleaned_data["duplicate_policy"],
            "import_valid_rows": form.cleaned_data["import_valid_rows"],
        }
        if "confirm" in request.POST:
            transfer.customer_import_start(actor=request.user, job=job, **options)
            messages.success(request, _("The import has started; this page shows its progress."))
            return redirect("job-detail", pk=job.pk)
        check = transfer.customer_import_check_start(actor=request.user, job=job, **options)
        return redirect("customers:customer-import-check", pk=check.pk)
    return render(request, "customers/customer_import_map.html", {"form": form, "job": job})


@permission_required("customers.import_customer", raise_exception=True)
def customer_import_check(request, pk):
    """The dry run of an upload: its progress while it runs, then the preview with the button to import."""
    check = _waiting_import(request, pk)
    if not check.options.get("dry_run"):
        raise Http404
    job = _waiting_import(request, check.options["upload"])
    if job.status != Job.Status.PENDING or job.options.get("queued"):
        return redirect("job-detail", pk=job.pk)
    if check.status != Job.Status.DONE:
        if request.htmx:
            return render(request, "crm/partials/job_progress.html", {"job": check, "poll_url": request.path})
        return render(request, "customers/customer_import_check.html", {"job": job, "check": check})
    if request.htmx:  # the poll that sees the end loads the whole preview
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    options = check.options
    data = {f"column_{index}": key for index, key in options["mapping"].items()}
    data["duplicate_policy"] = options["duplicate_policy"]
    if options["import_valid_rows"]:
        data["import_valid_rows"] = "on"
    form = ImportMappingForm(data, headers=job.options.get("headers", []), initial_mapping=job.options.get("mapping"))
    form.is_valid()
    context = {"form": form, "job": job, "check": check, "result": check.result}
    return render(request, "customers/customer_import_preview.html", context)


@permission_required("customers.export_customer", raise_exception=True)
def customer_export(request):
    """GET: choose columns and format for the list's current filter. POST: export it.

    Up to ``EXPORT_SYNC_MAX_ROWS`` rows download at once; more run as a job with a progress page.
    """
    if request.method != "POST":
        form = ExportForm(initial={"query": selectors_transfer.export_filter(request.GET).urlencode()})
        return render(request, "customers/customer_export.html", {"form": form, "list_query": form.initial["query"]})
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(
            request, "customers/customer_export.html", {"form": form, "list_query": request.POST.get("query")}
        )
    data = QueryDict(form.cleaned_data["query"] or "")
    fields, fmt = form.cleaned_data["fields"], form.cleaned_data["format"]
    if transfer.CUSTOMERS.too_large(user=request.user, query=selectors_transfer.export_filter(data)):
        job = transfer.customer_export_start(actor=request.user, data=data, fields=fields, fmt=fmt)
        messages.info(request, _("The export is large; it runs in the background and will be ready to download here."))
        return redirect("job-detail", pk=job.pk)
    return attachment(*transfer.customers_export(actor=request.user, data=data, fields=fields, fmt=fmt))
