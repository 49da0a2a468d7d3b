from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import call_service, refusal_as_message
from crm.pagination import paginate
from crm.storage import serve_field

from .. import selectors
from ..forms import ContractFileForm, ContractForm
from ..services import contracts as services
from .common import form_errors_text, id_param, render_form_context


@permission_required("sales.view_contract", raise_exception=True)
def contract_list(request):
    filterset = selectors.contract_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request)
    return render(request, "sales/contract_list.html", {"filter": filterset, "page": page})


@permission_required("sales.view_contract", raise_exception=True)
def contract_expiring(request):
    """The "expiring soon" list: active contracts ending within the first reminder window."""
    data = request.GET.copy()
    data.setdefault("expiring", str(max(settings.CONTRACT_REMINDER_DAYS)))
    filterset = selectors.contract_list(user=request.user, data=data)
    page = paginate(filterset.qs, request)
    return render(request, "sales/contract_list.html", {"filter": filterset, "page": page, "expiring": True})


@permission_required("sales.view_contract", raise_exception=True)
def contract_detail(request, pk):
    contract = selectors.contract_get(user=request.user, pk=pk)
    context = {
        "contract": contract,
        "files": contract.files.select_related("uploaded_by"),
        "file_form": ContractFileForm(),
    }
    return render(request, "sales/contract_detail.html", context)


def _contract_form(request, contract=None):
    initial = {}
    if contract is None:
        for key, getter in (("opportunity", selectors.opportunity_get), ("order", selectors.order_get)):
            if request.GET.get(key):
                linked = getter(user=request.user, pk=id_param(request.GET[key]))
                initial.update({key: linked, "customer": linked.customer, "currency": linked.currency})
                initial["amount"] = getattr(linked, "amount", None) or getattr(linked, "total", None)
    form = ContractForm(request.POST or None, instance=contract, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version, status = data.pop("version"), data.pop("status", None)
        if contract is None:
            saved = call_service(form, services.contract_create, actor=request.user, data=data)
        else:
            saved = call_service(
                form, services.contract_update, actor=request.user, contract=contract, data=data, version=version,
                status=status,
            )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Contract %(number)s saved.") % {"number": saved.number})
            return redirect(saved)
    title = _("Edit contract %(number)s") % {"number": contract.number} if contract else _("New contract")
    cancel = contract.get_absolute_url() if contract else reverse("sales:contract-list")
    context = render_form_context(
        title=title, form=form, cancel_url=cancel, parents=[(reverse("sales:contract-list"), _("Contracts"))]
    )
    return render(request, "form_page.html", context)


@permission_required("sales.add_contract", raise_exception=True)
def contract_create(request):
    return _contract_form(request)


@permission_required("sales.change_contract", raise_exception=True)
def contract_update(request, pk):
    return _contract_form(request, selectors.contract_get(user=request.user, pk=pk))


@require_POST
@permission_required("sales.add_contractfile", raise_exception=True)
def contract_file_add(request, pk):
    contract = selectors.contract_get(user=request.user, pk=pk)
    form = ContractFileForm(request.POST, request.FILES)
    if form.is_valid():
        call_service(
            form, services.contract_file_add, actor=request.user, contract=contract, upload=form.cleaned_data["file"]
        )
        if not form.errors:
            messages.success(request, _("File attached."))
            return redirect(contract)
    messages.error(request, form_errors_text(form))
    return redirect(contract)


@permission_required("sales.view_contractfile", raise_exception=True)
def contract_file_download(request, pk, file_pk):
    attachment = selectors.contract_file_get(user=request.user, contract_pk=pk, pk=file_pk)
    return serve_field(attachment.file, filename=attachment.name)


@require_POST
@permission_required("sales.add_contract", raise_exception=True)
def contract_renew(request, pk):
    contract = selectors.contract_get(user=request.user, pk=pk)
    with refusal_as_message(request):
        renewal = services.contract_renew(actor=request.user, contract=contract)
        messages.success(
            request, _("Renewal %(number)s drafted; check it and make it active.") % {"number": renewal.number}
        )
        return redirect(renewal)
    return redirect(contract)
