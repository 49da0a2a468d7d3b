"""Customer 360 timeline and the personal-data actions: consent, data-subject export, erasure."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import refusal_as_message

from .. import selectors
from ..forms.care import ConsentForm
from ..selectors.timeline import customer_timeline as timeline_page
from ..services import privacy


@permission_required("customers.view_customer", raise_exception=True)
def customer_timeline(request, pk):
    customer = selectors.customer_get(user=request.user, pk=pk)
    page = timeline_page(user=request.user, customer=customer, page_number=request.GET.get("page"))
    return render(request, "customers/customer_timeline.html", {"customer": customer, "page": page})


@require_POST
@permission_required("customers.change_customer", raise_exception=True)
def customer_consent(request, pk):
    customer = selectors.customer_get(user=request.user, pk=pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect(customer)
    with refusal_as_message(request):
        privacy.customer_consent_set(
            actor=request.user,
            customer=customer,
            consent=form.cleaned_data["consent"],
            method=form.cleaned_data["consent_method"],
        )
        messages.success(request, _("Consent recorded: %(consent)s.") % {"consent": customer.get_consent_display()})
    return redirect(customer)


@require_POST
@permission_required("customers.erase_customer", raise_exception=True)
def customer_personal_data(request, pk):
    """Download everything held about the customer (a data-subject access request)."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    content = privacy.customer_personal_data_export(actor=request.user, customer=customer)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-personal-data.json"'
    return response


@permission_required("customers.erase_customer", raise_exception=True)
def customer_erase(request, pk):
    customer = selectors.customer_get(user=request.user, pk=pk)
    if request.method == "POST":
        privacy.customer_erase(actor=request.user, customer=customer)
        messages.success(request, _("The personal data of %(name)s was erased.") % {"name": customer.name})
        return redirect(customer)
    return render(request, "customers/customer_confirm_erase.html", {"customer": customer})
