"""Communication records: the list across customers, quick add on the customer page, edit and delete."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from crm.filters import is_searched
from crm.forms import call_service
from crm.pagination import paginate

from .. import selectors
from ..forms import CommunicationForm
from ..services import communications as services

PANEL = "customers/partials/communication_panel.html"
# Told to the page after a quick add, so the follow-up task card reloads the task a next follow-up
# date may have scheduled (customers/customer_detail.html listens for it).
TASKS_CHANGED = "tasks-changed"


@permission_required("customers.view_communication", raise_exception=True)
def communication_list(request):
    filterset = selectors.communication_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request, searched=is_searched(filterset))
    context = {"filter": filterset, "page": page}
    template = "customers/partials/communication_table.html" if request.htmx else "customers/communication_list.html"
    return render(request, template, context)


def _panel(request, customer, form=None, saved=False):
    context = {
        "customer": customer,
        "form": form or CommunicationForm(customer=customer),
        "communications": selectors.communications_recent(customer=customer),
        "saved": saved,
    }
    return render(request, PANEL, context)


@require_GET
@permission_required("customers.view_communication", raise_exception=True)
def customer_communications(request, pk):
    """The customer page's communication card, loaded by htmx after the page itself."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    return _panel(request, customer)


def _save(request, form, *, customer=None, communication=None):
    if communication is None:
        return call_service(
            form, services.communication_create, actor=request.user, customer=customer, data=dict(form.cleaned_data)
        )
    return call_service(
        form, services.communication_update, actor=request.user, communication=communication,
        data=dict(form.cleaned_data),
    )  # fmt: skip


@require_POST
@permission_required("customers.add_communication", raise_exception=True)
def communication_create(request, pk):
    """Quick add: an htmx post gets the refreshed card back (a cleared form, or the errors); a plain post
    is redirected to the customer, or shown the form again with its errors."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    form = CommunicationForm(request.POST, customer=customer)
    saved = form.is_valid() and _save(request, form, customer=customer) is not None
    if request.htmx:
        response = _panel(request, customer, form=None if saved else form, saved=saved)
        return trigger_client_event(response, TASKS_CHANGED) if saved else response
    if saved:
        messages.success(request, _("Communication recorded."))
        return redirect(customer)
    return render(request, "customers/communication_form.html", {"form": form, "customer": customer})


@permission_required("customers.change_communication", raise_exception=True)
def communication_update(request, pk):
    communication = selectors.communication_get(user=request.user, pk=pk)
    customer = communication.customer
    form = CommunicationForm(request.POST or None, instance=communication, customer=customer)
    if request.method == "POST" and form.is_valid() and _save(request, form, communication=communication):
        messages.success(request, _("Communication saved."))
        return redirect(customer)
    return render(
        request,
        "customers/communication_form.html",
        {"form": form, "customer": customer, "communication": communication},
    )


@permission_required("customers.delete_communication", raise_exception=True)
def communication_delete(request, pk):
    communication = selectors.communication_get(user=request.user, pk=pk)
    if request.method == "POST":
        services.communication_delete(actor=request.user, communication=communication)
        messages.success(request, _("Communication deleted."))
        return redirect(communication.customer)
    return render(
        request,
        "customers/communication_confirm_delete.html",
        {"communication": communication, "customer": communication.customer},
    )
