from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.filters import is_searched
from crm.forms import call_service, refusal_as_message
from crm.pagination import paginate

from .. import selectors
from ..forms import OrderForm, OrderLineFormSet
from ..models import Order
from ..pdf import order_pdf
from ..services import orders as services
from .common import id_param, render_form_context


@permission_required("sales.view_order", raise_exception=True)
def order_list(request):
    filterset = selectors.order_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request, searched=is_searched(filterset))
    return render(request, "sales/order_list.html", {"filter": filterset, "page": page})


@permission_required("sales.view_order", raise_exception=True)
def order_detail(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    context = {"order": order, "lines": selectors.order_lines(order=order), "next_status": services.NEXT_STATUS}
    return render(request, "sales/order_detail.html", context)


def _line_data(formset):
    return [
        {key: value for key, value in form.cleaned_data.items() if key != "DELETE" and value not in (None, "")}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("product")
    ]


def _order_form(request, order=None):
    initial = {}
    if order is None and request.GET.get("opportunity"):
        opportunity = selectors.opportunity_get(user=request.user, pk=id_param(request.GET["opportunity"]))
        initial = {"opportunity": opportunity, "customer": opportunity.customer, "currency": opportunity.currency}
    form = OrderForm(request.POST or None, instance=order, user=request.user, initial=initial)
    lines_initial = (
        [
            {"product": line.product, "description": line.description, "quantity": line.quantity,
             "unit_price": line.unit_price, "discount_percent": line.discount_percent}
            for line in selectors.order_lines(order=order)
        ]
        if order is not None else None
    )  # fmt: skip
    formset = OrderLineFormSet(request.POST or None, initial=lines_initial, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if order is None:
            saved = call_service(form, services.order_create, actor=request.user, data=data, lines=_line_data(formset))
        else:
            saved = call_service(
                form, services.order_update, actor=request.user, order=order, data=data, lines=_line_data(formset),
                version=version,
            )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Order %(number)s saved.") % {"number": saved.number})
            return redirect(saved)
    title = _("Edit order %(number)s") % {"number": order.number} if order else _("New order")
    cancel = order.get_absolute_url() if order else reverse("sales:order-list")
    context = render_form_context(
        title=title, form=form, cancel_url=cancel, parents=[(reverse("sales:order-list"), _("Orders"))],
        extra={"formset": formset},
    )  # fmt: skip
    return render(request, "sales/order_form.html", context)


@permission_required("sales.add_order", raise_exception=True)
def order_create(request):
    return _order_form(request)


@permission_required("sales.change_order", raise_exception=True)
def order_update(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    if order.status != Order.Status.DRAFT:
        messages.error(request, _("Only a draft order can be changed."))
        return redirect(order)
    return _order_form(request, order)


def _run(request, order, service, done_message, **kwargs):
    with refusal_as_message(request):
        service(actor=request.user, order=order, version=request.POST.get("version") or None, **kwargs)
        messages.success(request, done_message)
    return redirect(order)


@require_POST
@permission_required("sales.confirm_order", raise_exception=True)
def order_confirm(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    return _run(request, order, services.order_confirm, _("Order confirmed; stock updated."))


@require_POST
@permission_required("sales.change_order", raise_exception=True)
def order_cancel(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    return _run(request, order, services.order_cancel, _("Order cancelled."))


@require_POST
@permission_required("sales.change_order", raise_exception=True)
def order_advance(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    status = request.POST.get("status", "")
    return _run(request, order, services.order_advance, _("Order status saved."), status=status)


@permission_required("sales.view_order", raise_exception=True)
def order_pdf_view(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    response = HttpResponse(
        order_pdf(order=order, lines=selectors.order_lines(order=order)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response
