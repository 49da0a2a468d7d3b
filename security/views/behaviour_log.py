from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.importexport.exporter import export_filename
from crm.importexport.exports import attachment
from crm.pagination import paginate

from .. import selectors
from ..forms import BehaviourLogFilterForm
from ..services import log_export

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _filtered(request, *, modules=None):
    if modules is None:
        modules = selectors.behaviour_log_modules()
    form = BehaviourLogFilterForm(request.GET or None, modules=modules)
    data = form.cleaned_data if form.is_valid() else {}
    return form, selectors.behaviour_log_filter(data=data)


@permission_required("crm.view_behaviourlog", raise_exception=True)
def behaviour_log(request):
    form, entries = _filtered(request)
    page = paginate(entries, request, per_page=50)
    template = "security/partials/behaviour_log_table.html" if request.htmx else "security/behaviour_log.html"
    context = {"form": form, "page": page, "retention_days": settings.BEHAVIOUR_LOG_RETENTION_DAYS}
    return render(request, template, context)


@permission_required("crm.view_behaviourlog", raise_exception=True)
def behaviour_log_export(request, fmt):
    if fmt not in CONTENT_TYPES:
        raise Http404
    # The module asked for is the only choice the export needs (the page's list of every module is a scan of the
    # whole log): a module no entry has matches nothing.
    form, entries = _filtered(request, modules=[m for m in [request.GET.get("module")] if m])
    # Counted without the sort, up to the limit: the first byte of the answer stays well under a second.
    # A PDF of more than one page of the log is a background job with progress, as a large XLSX is: the page
    # answers at once and the job page offers the file.
    limit = settings.EXPORT_SYNC_MAX_ROWS if fmt == "xlsx" else log_export.pdf_now_max_rows()
    if entries.order_by()[: limit + 1].count() > limit:
        pdf_limit = settings.EXPORT_PDF_MAX_ROWS
        if fmt == "pdf" and entries.order_by()[: pdf_limit + 1].count() > pdf_limit:
            messages.error(
                request,
                _("More than %(limit)d entries match; narrow the filter or export XLSX instead.")
                % {"limit": pdf_limit},
            )
            return HttpResponseRedirect(reverse("security:behaviour-log") + "?" + request.GET.urlencode())
        job = log_export.behaviour_log_export_start(actor=request.user, query=request.GET, fmt=fmt)
        return HttpResponseRedirect(reverse("job-detail", args=[job.pk]))
    filters = {k: v for k, v in request.GET.items() if k != "page"}
    content, _count = log_export.behaviour_log_export(actor=request.user, entries=entries, fmt=fmt, filters=filters)
    return attachment(export_filename("behaviour-log", fmt), CONTENT_TYPES[fmt], content)
