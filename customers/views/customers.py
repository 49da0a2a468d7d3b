from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.filters import is_searched
from crm.forms import call_service
from crm.pagination import paginate

from .. import selectors, services
from ..dedupe import find_duplicates
from ..forms import BulkActionForm, ContactForm, CustomerForm
from ..forms.dedupe import DuplicateConfirmForm
from ..quicklinks import customer_quick_links


@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request):
    filterset = selectors.customer_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request, searched=is_searched(filterset))
    page.object_list = selectors.customer_list_rows(page.object_list)
    context = {"filter": filterset, "page": page, "bulk_actions": BulkActionForm.ACTIONS}
    template = "customers/partials/customer_table.html" if request.htmx else "customers/customer_list.html"
    return render(request, template, context)


@require_POST
@permission_required("customers.change_customer", raise_exception=True)
def customer_bulk(request):
    """Two steps: the list posts the action and the ticked rows; this page asks for the owner or tag."""
    customers = selectors.customers_in(user=request.user, ids=request.POST.getlist("ids"))
    form = BulkActionForm(request.POST, user=request.user, customers=customers)
    next_url = request.POST.get("next") or reverse("customers:customer-list")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("customers:customer-list")
    if not form.is_valid():
        if "ids" in form.errors:
            messages.error(request, form.errors["ids"][0])
            return redirect(next_url)
        if "confirm" in request.POST:
            messages.error(request, _("Please correct the errors below."))
        else:
            form = BulkActionForm(
                initial={"action": request.POST.get("action"), "ids": customers}, user=request.user, customers=customers
            )
        return render(request, "customers/customer_bulk.html", {"form": form, "next": next_url})
    selected = form.cleaned_data["ids"]
    if form.cleaned_data["action"] == "assign_owner":
        owner = form.cleaned_data["owner"]
        count = services.customers_assign_owner(
            actor=request.user, customers=customers.filter(pk__in=selected), owner=owner
        )
        messages.success(request, _("%(count)d customers now belong to %(owner)s.") % {"count": count, "owner": owner})
    else:
        tag = form.cleaned_data["tag"]
        count = services.customers_add_tag(actor=request.user, customers=customers.filter(pk__in=selected), tag=tag)
        messages.success(request, _("Tag %(tag)s added to %(count)d customers.") % {"count": count, "tag": tag})
    return redirect(next_url)


@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request, pk):
    customer = selectors.customer_detail(user=request.user, pk=pk)
    history = selectors.customer_history(customer=customer)
    quick_links = customer_quick_links(customer=customer, user=request.user)
    context = {"customer": customer, "history": history, "quick_links": quick_links}
    return render(request, "customers/customer_detail.html", context)


def _save_customer(request, form, customer=None):
    data = dict(form.cleaned_data)
    owner, tags, groups = data.pop("owner"), data.pop("tags"), data.pop("groups")
    if customer is None:
        return call_service(
            form, services.customer_create, actor=request.user, data=data, owner=owner, tags=tags, groups=groups
        )
    return call_service(
        form, services.customer_update, actor=request.user, customer=customer, data=data, owner=owner, tags=tags,
        groups=groups,
    )  # fmt: skip


@permission_required("customers.add_customer", raise_exception=True)
def customer_create(request):
    form = CustomerForm(request.POST or None, user=request.user)
    confirm = DuplicateConfirmForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        if not confirm.confirmed():
            data = form.cleaned_data
            duplicates = find_duplicates(user=request.user, name=data["name"], phone=data["phone"], email=data["email"])
        if not duplicates:
            customer = _save_customer(request, form)
            if customer is not None:
                messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
                return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form, "duplicates": duplicates})


@permission_required("customers.change_customer", raise_exception=True)
def customer_update(request, pk):
    customer = selectors.customer_get(user=request.user, pk=pk)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        if _save_customer(request, form, customer) is not None:
            messages.success(request, _("Customer %(name)s saved.") % {"name": customer.name})
            return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@permission_required("customers.delete_customer", raise_exception=True)
def customer_delete(request, pk):
    customer = selectors.customer_get(user=request.user, pk=pk)
    blockers = services.customer_delete_blockers(customer)
    if request.method == "POST" and not blockers:
        try:
            services.customer_delete(actor=request.user, customer=customer)
        except ValidationError:
            # Something came to refer to it since the page was drawn; the page lists what now.
            blockers = services.customer_delete_blockers(customer)
        else:
            messages.success(request, _("Customer %(name)s deleted.") % {"name": customer.name})
            return redirect("customers:customer-list")
    status = 409 if request.method == "POST" else 200
    return render(
        request, "customers/customer_confirm_delete.html", {"customer": customer, "blockers": blockers}, status=status
    )


@permission_required("customers.view_contact", raise_exception=True)
def contact_list(request):
    text = request.GET.get("q", "")
    page = paginate(selectors.contact_list(user=request.user, text=text), request, searched=bool(text.strip()))
    return render(request, "customers/contact_list.html", {"page": page, "q": request.GET.get("q", "")})


@permission_required("customers.add_contact", raise_exception=True)
def contact_create(request, customer_pk):
    customer = selectors.customer_get(user=request.user, pk=customer_pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call_service(form, services.contact_create, actor=request.user, customer=customer, data=dict(form.cleaned_data))
        if not form.errors:
            messages.success(request, _("Contact added."))
            return redirect(customer)
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer})


@permission_required("customers.change_contact", raise_exception=True)
def contact_update(request, customer_pk, pk):
    contact = selectors.contact_get(user=request.user, customer_pk=customer_pk, pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        call_service(form, services.contact_update, actor=request.user, contact=contact, data=dict(form.cleaned_data))
        if not form.errors:
            messages.success(request, _("Contact saved."))
            return redirect(contact.customer)
    return render(
        request, "customers/contact_form.html", {"form": form, "customer": contact.customer, "contact": contact}
    )


@permission_required("customers.delete_contact", raise_exception=True)
def contact_delete(request, customer_pk, pk):
    contact = selectors.contact_get(user=request.user, customer_pk=customer_pk, pk=pk)
    if request.method == "POST":
        services.contact_delete(actor=request.user, contact=contact)
        messages.success(request, _("Contact deleted."))
        return redirect(contact.customer)
    return render(request, "customers/contact_confirm_delete.html", {"contact": contact, "customer": contact.customer})
