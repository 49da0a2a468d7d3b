from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.filters import is_searched
from crm.forms import apply_validation_error, call_service
from crm.pagination import paginate

from .. import selectors
from ..forms import LeadAssignForm, LeadBulkForm, LeadConvertForm, LeadForm, LeadStatusForm
from ..services import leads as services
from .common import form_errors_text, render_form_context


@permission_required("sales.view_lead", raise_exception=True)
def lead_list(request):
    filterset = selectors.lead_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request, searched=is_searched(filterset))
    bulk = LeadBulkForm(user=request.user).for_page() if request.user.has_perm("sales.assign_lead") else None
    return render(request, "sales/lead_list.html", {"filter": filterset, "page": page, "bulk": bulk})


@permission_required("sales.view_lead", raise_exception=True)
def lead_detail(request, pk):
    lead = selectors.lead_get(user=request.user, pk=pk)
    context = {
        "lead": lead,
        "assignments": selectors.lead_assignments(lead=lead),
        "status_form": LeadStatusForm(initial={"status": lead.status}),
        "assign_form": LeadAssignForm(user=request.user) if request.user.has_perm("sales.assign_lead") else None,
    }
    return render(request, "sales/lead_detail.html", context)


@permission_required("sales.add_lead", raise_exception=True)
def lead_create(request):
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # A manager entering leads for the team leaves them unassigned, to assign or deal out later.
        owner = False if request.POST.get("unassigned") and request.user.has_perm("sales.assign_lead") else None
        lead = call_service(form, services.lead_create, actor=request.user, data=form.cleaned_data, owner=owner)
        if lead is not None:
            messages.success(request, _("Lead %(name)s created.") % {"name": lead})
            return redirect(lead)
    context = render_form_context(
        title=_("New lead"), form=form, cancel_url=reverse("sales:lead-list"),
        parents=[(reverse("sales:lead-list"), _("Leads"))], extra={"offer_unassigned": True},
    )  # fmt: skip
    return render(request, "sales/lead_form.html", context)


@permission_required("sales.change_lead", raise_exception=True)
def lead_update(request, pk):
    lead = selectors.lead_get(user=request.user, pk=pk)
    form = LeadForm(request.POST or None, instance=lead, user=request.user)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.lead_update, actor=request.user, lead=lead, data=form.cleaned_data):
            messages.success(request, _("Lead saved."))
            return redirect(lead)
    context = render_form_context(
        title=_("Edit lead"), form=form, cancel_url=lead.get_absolute_url(),
        parents=[(reverse("sales:lead-list"), _("Leads")), (lead.get_absolute_url(), str(lead))],
    )  # fmt: skip
    return render(request, "sales/lead_form.html", context)


@require_POST
@permission_required("sales.change_lead", raise_exception=True)
def lead_status(request, pk):
    lead = selectors.lead_get(user=request.user, pk=pk)
    form = LeadStatusForm(request.POST)
    if form.is_valid() and call_service(
        form, services.lead_update, actor=request.user, lead=lead, data=form.cleaned_data
    ):
        messages.success(request, _("Lead status saved."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect(lead)


@require_POST
@permission_required("sales.assign_lead", raise_exception=True)
def lead_assign(request, pk):
    lead = selectors.lead_get(user=request.user, pk=pk)
    form = LeadAssignForm(request.POST, user=request.user)
    if form.is_valid() and call_service(
        form, services.lead_assign, actor=request.user, lead=lead, owner=form.cleaned_data["owner"]
    ):
        messages.success(request, _("Lead assigned to %(owner)s.") % {"owner": form.cleaned_data["owner"]})
    else:
        messages.error(request, _("Choose a user you may assign leads to."))
    return redirect(lead)


@require_POST
@permission_required("sales.assign_lead", raise_exception=True)
def lead_bulk(request):
    leads = selectors.leads_in(user=request.user, ids=request.POST.getlist("ids"))
    form = LeadBulkForm(request.POST, user=request.user)
    next_url = reverse("sales:lead-list")
    if not leads.exists():
        messages.error(request, _("Tick the leads first."))
        return redirect(next_url)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(next_url)
    if form.cleaned_data["action"] == "assign":
        owner = form.cleaned_data["owner"]
        count = 0
        for lead in leads:
            if call_service(form, services.lead_assign, actor=request.user, lead=lead, owner=owner):
                count += 1
        messages.success(request, _("%(count)d leads assigned to %(owner)s.") % {"count": count, "owner": owner})
    else:
        count = call_service(
            form, services.leads_assign_round_robin, actor=request.user, leads=leads, team=form.cleaned_data["team"]
        )
        if count is None:
            messages.error(request, " ".join(form.non_field_errors()))
        else:
            messages.success(request, _("%(count)d leads dealt out round-robin.") % {"count": count})
    return redirect(next_url)


@permission_required("sales.convert_lead", raise_exception=True)
def lead_convert(request, pk):
    lead = selectors.lead_get(user=request.user, pk=pk)
    initial = {"name": str(lead), "customer": lead.customer_id}
    form = LeadConvertForm(request.POST or None, user=request.user, initial=initial)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            converted = services.lead_convert(
                actor=request.user,
                lead=lead,
                opportunity=data,
                customer=data["customer"],
                create_anyway=data["create_anyway"],
            )
        except services.DuplicateCustomer as error:
            duplicates = error.duplicates
            form.add_error(None, error.messages[0])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Lead converted: customer, contact and opportunity created."))
            return redirect(converted.opportunity)
    context = render_form_context(
        title=_("Convert lead"), form=form, cancel_url=lead.get_absolute_url(),
        parents=[(reverse("sales:lead-list"), _("Leads")), (lead.get_absolute_url(), str(lead))],
        extra={"lead": lead, "duplicates": duplicates},
    )  # fmt: skip
    return render(request, "sales/lead_convert.html", context)
