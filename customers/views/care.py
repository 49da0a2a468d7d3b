"""Customer care pages: the care actions to do, and the plans and cadences that make them."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import call_service, refusal_as_message
from crm.pagination import paginate

from ..forms.care import CareFilterForm, CareOutcomeForm, CarePlanForm, ContactCadenceForm
from ..selectors import care as care_selectors
from ..services import care as care_services


@permission_required("customers.view_careaction", raise_exception=True)
def care_list(request):
    form = CareFilterForm(request.GET or None, user=request.user)
    assignee, everyone = form.selection() if form.is_bound else (None, False)
    actions = care_selectors.care_actions(user=request.user, assignee=assignee, everyone=everyone)
    section = request.GET.get("section")
    if section not in care_selectors.SECTIONS:
        section = "today"
    page = paginate(care_selectors.care_section(actions, section), request)
    context = {
        "form": form,
        "page": page,
        "section": section,
        "counts": care_selectors.care_counts(actions),
        "sections": [
            ("today", _("Due today")),
            ("overdue", _("Overdue")),
            ("upcoming", _("Upcoming")),
            ("done", _("Done or skipped")),
        ],
    }
    return render(request, "customers/careaction_list.html", context)


def _back(request):
    next_url = request.POST.get("next") or reverse("customers:care-list")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("customers:care-list")
    return redirect(next_url)


@require_POST
@permission_required("customers.change_careaction", raise_exception=True)
def care_action_done(request, pk):
    action = care_selectors.care_action_get(user=request.user, pk=pk)
    form = CareOutcomeForm(request.POST)
    form.is_valid()
    with refusal_as_message(request):
        care_services.care_action_complete(
            actor=request.user, action=action, outcome=form.cleaned_data.get("outcome", "")
        )
        messages.success(request, _("Care action for %(customer)s done.") % {"customer": action.customer})
    return _back(request)


@require_POST
@permission_required("customers.change_careaction", raise_exception=True)
def care_action_skip(request, pk):
    action = care_selectors.care_action_get(user=request.user, pk=pk)
    form = CareOutcomeForm(request.POST)
    form.is_valid()
    with refusal_as_message(request):
        care_services.care_action_skip(actor=request.user, action=action, outcome=form.cleaned_data.get("outcome", ""))
        messages.success(request, _("Care action for %(customer)s skipped.") % {"customer": action.customer})
    return _back(request)


@require_POST
@permission_required("customers.change_careaction", raise_exception=True)
def care_action_send(request, pk):
    action = care_selectors.care_action_get(user=request.user, pk=pk)
    with refusal_as_message(request):
        sent = care_services.care_action_send(actor=request.user, action=action)
        if sent:
            messages.success(request, _("Message sent to %(customer)s.") % {"customer": action.customer})
        else:
            messages.warning(request, _("This message was sent before; nothing was sent again."))
    return _back(request)


@permission_required("customers.view_careplan", raise_exception=True)
def care_plan_list(request):
    context = {"plans": care_selectors.care_plans(), "cadences": care_selectors.contact_cadences()}
    return render(request, "customers/careplan_list.html", context)


def _rule_form(request, *, form_class, template, service, instance=None, **service_kwargs):
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        call_service(form, service, actor=request.user, data=dict(form.cleaned_data), **service_kwargs)
        if not form.errors:
            messages.success(request, _("Saved."))
            return redirect("customers:care-plan-list")
    return render(request, template, {"form": form, "object": instance})


@permission_required("customers.add_careplan", raise_exception=True)
def care_plan_create(request):
    return _rule_form(
        request,
        form_class=CarePlanForm,
        template="customers/careplan_form.html",
        service=care_services.care_plan_create,
    )


@permission_required("customers.change_careplan", raise_exception=True)
def care_plan_update(request, pk):
    plan = get_object_or_404(care_selectors.care_plans(), pk=pk)
    return _rule_form(
        request,
        form_class=CarePlanForm,
        template="customers/careplan_form.html",
        service=care_services.care_plan_update,
        instance=plan,
        plan=plan,
    )


@permission_required("customers.add_contactcadence", raise_exception=True)
def cadence_create(request):
    return _rule_form(
        request,
        form_class=ContactCadenceForm,
        template="customers/contactcadence_form.html",
        service=care_services.contact_cadence_create,
    )


@permission_required("customers.change_contactcadence", raise_exception=True)
def cadence_update(request, pk):
    cadence = get_object_or_404(care_selectors.contact_cadences(), pk=pk)
    return _rule_form(
        request,
        form_class=ContactCadenceForm,
        template="customers/contactcadence_form.html",
        service=care_services.contact_cadence_update,
        instance=cadence,
        cadence=cadence,
    )
