"""Customer export (the import pages are the shared ones of crm.importexport, mounted in urls.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm.importexport.exports import attachment

from ..forms.transfer import ExportForm
from ..selectors import transfer as transfer_selectors
from ..services import transfer


@permission_required("customers.export_customer", raise_exception=True)
def customer_export(request):
    """GET: choose columns and format for the list's current filter. POST: export it.

    Up to ``EXPORT_SYNC_MAX_ROWS`` rows download at once; more run as a job with a progress page.
    """
    if request.method != "POST":
        form = ExportForm(initial={"query": transfer_selectors.export_filter(request.GET).urlencode()})
        return render(request, "customers/customer_export.html", {"form": form, "list_query": form.initial["query"]})
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(
            request, "customers/customer_export.html", {"form": form, "list_query": request.POST.get("query")}
        )
    data = QueryDict(form.cleaned_data["query"] or "")
    fields, fmt = form.cleaned_data["fields"], form.cleaned_data["format"]
    if transfer.CUSTOMERS.too_large(user=request.user, query=transfer_selectors.export_filter(data)):
        job = transfer.customer_export_start(actor=request.user, data=data, fields=fields, fmt=fmt)
        messages.info(request, _("The export is large; it runs in the background and will be ready to download here."))
        return redirect("job-detail", pk=job.pk)
    return attachment(*transfer.customers_export(actor=request.user, data=data, fields=fields, fmt=fmt))
