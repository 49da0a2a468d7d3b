from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.filters import is_searched
from crm.forms import call_service
from crm.importexport.exporter import FORMATS
from crm.importexport.exports import attachment
from crm.pagination import paginate
from customers.selectors import customer_get

from .. import selectors
from ..forms import OpportunityCloseForm, OpportunityForm, OpportunityLineForm
from ..models import Stage
from ..services import exports
from ..services import opportunities as services
from .common import form_errors_text, id_param, render_form_context


@permission_required("sales.view_opportunity", raise_exception=True)
def opportunity_list(request):
    filterset = selectors.opportunity_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request, searched=is_searched(filterset))
    return render(request, "sales/opportunity_list.html", {"filter": filterset, "page": page})


def _board_context(request, pipeline, error=None):
    pipelines = list(selectors.pipelines())
    mine = request.GET.get("mine") == "1" or request.POST.get("mine") == "1"
    board = selectors.opportunity_board(user=request.user, pipeline=pipeline, owner=request.user if mine else None)
    # Reversing two URLs per card was a third of the board's render time; reverse each once.
    move, detail = (
        reverse(name, args=[0]).replace("/0/", "/{}/")
        for name in ("sales:opportunity-move", "sales:opportunity-detail")
    )
    for column in board["columns"]:
        for card in column.cards:
            card.move_url, card.detail_url = move.format(card.pk), detail.format(card.pk)
    return {"pipeline": pipeline, "pipelines": pipelines, "board": board, "mine": mine, "error": error}


def _pipeline(request):
    pipeline = selectors.board_pipeline(request.GET.get("pipeline") or request.POST.get("pipeline"))
    if pipeline is None:
        raise ValidationError(_("No sales pipeline is set up yet."))
    return pipeline


@permission_required("sales.view_opportunity", raise_exception=True)
def opportunity_board(request):
    context = _board_context(request, _pipeline(request))
    return render(request, "sales/opportunity_board.html", context)


@require_POST
@permission_required("sales.change_opportunity", raise_exception=True)
def opportunity_move(request, pk):
    """Drag and drop (htmx) or the card's stage select: move, then answer with the fresh board."""
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    stage = get_object_or_404(Stage, pk=id_param(request.POST.get("stage")), pipeline_id=opportunity.pipeline_id)
    reason = request.POST.get("reason", "").strip()
    if stage.is_lost and not reason and stage.pk != opportunity.stage_id:
        return _ask_lost_reason(request, opportunity, stage)
    error = None
    try:
        services.opportunity_move(
            actor=request.user, opportunity=opportunity, stage=stage, version=request.POST.get("version") or None,
            reason=reason,
        )  # fmt: skip
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if request.htmx:
        context = _board_context(request, opportunity.pipeline, error=error)
        return render(request, "sales/partials/board.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s moved to %(stage)s.") % {"name": opportunity.name, "stage": stage.name})
    return redirect(f"{reverse('sales:opportunity-board')}?pipeline={opportunity.pipeline_id}")


def _ask_lost_reason(request, opportunity, stage):
    """A drop (or the select) on a lost stage closes the deal, so first ask why; nothing moves until then."""
    prompt = {
        "opportunity": opportunity,
        "stage": stage,
        "version": request.POST.get("version") or opportunity.version,
        "move_url": reverse("sales:opportunity-move", args=[opportunity.pk]),
        "missing": "reason" in request.POST,
    }
    if request.htmx:
        context = _board_context(request, opportunity.pipeline)
        return render(request, "sales/partials/board.html", {**context, "lost_prompt": prompt})
    context = {"lost_prompt": prompt, "mine": request.POST.get("mine")}
    return render(request, "sales/opportunity_lost_reason.html", context)


@permission_required("sales.view_opportunity", raise_exception=True)
def opportunity_detail(request, pk):
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    context = {
        "opportunity": opportunity,
        "lines": selectors.opportunity_lines(opportunity=opportunity),
        "history": selectors.stage_history(opportunity=opportunity),
        "close_form": OpportunityCloseForm(initial={"version": opportunity.version}),
        "line_form": OpportunityLineForm(),
        **selectors.opportunity_documents(user=request.user, opportunity=opportunity),
    }
    return render(request, "sales/opportunity_detail.html", context)


def _parents(opportunity=None):
    parents = [(reverse("sales:opportunity-list"), _("Opportunities"))]
    if opportunity is not None:
        parents.append((opportunity.get_absolute_url(), opportunity.name))
    return parents


@permission_required("sales.add_opportunity", raise_exception=True)
def opportunity_create(request):
    initial = {}
    if request.GET.get("customer"):
        initial["customer"] = customer_get(user=request.user, pk=id_param(request.GET["customer"]))
    form = OpportunityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner, pipeline = data.pop("owner"), data.pop("pipeline")
        opportunity = call_service(
            form, services.opportunity_create, actor=request.user, data=data, owner=owner, pipeline=pipeline
        )
        if opportunity is not None:
            messages.success(request, _("Opportunity %(name)s created.") % {"name": opportunity.name})
            return redirect(opportunity)
    context = render_form_context(
        title=_("New opportunity"), form=form, cancel_url=reverse("sales:opportunity-list"), parents=_parents()
    )
    return render(request, "form_page.html", context)


@permission_required("sales.change_opportunity", raise_exception=True)
def opportunity_update(request, pk):
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner, stage, version = data.pop("owner"), data.pop("stage"), data.pop("version")
        data.pop("pipeline", None)
        saved = call_service(
            form, services.opportunity_update, actor=request.user, opportunity=opportunity, data=data,
            version=version, owner=owner, stage=stage,
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Opportunity saved."))
            return redirect(saved)
    context = render_form_context(
        title=_("Edit opportunity"), form=form, cancel_url=opportunity.get_absolute_url(), parents=_parents(opportunity)
    )
    return render(request, "form_page.html", context)


@require_POST
@permission_required("sales.change_opportunity", raise_exception=True)
def opportunity_close(request, pk):
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    form = OpportunityCloseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form, services.opportunity_close, actor=request.user, opportunity=opportunity,
            won=data["outcome"] == "won", reason=data["reason"], version=data["version"],
        )  # fmt: skip
        if done is not None:
            messages.success(request, _("Opportunity marked %(status)s.") % {"status": done.get_status_display()})
            return redirect(done)
    messages.error(request, form_errors_text(form))
    return redirect(opportunity)


@require_POST
@permission_required("sales.change_opportunity", raise_exception=True)
def opportunity_line_add(request, pk):
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    form = OpportunityLineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        price = data["unit_price"] if data["unit_price"] is not None else data["product"].price
        if call_service(
            form, services.opportunity_line_add, actor=request.user, opportunity=opportunity,
            product=data["product"], quantity=data["quantity"], unit_price=price,
        ):  # fmt: skip
            messages.success(request, _("Product added."))
            return redirect(opportunity)
    messages.error(request, form_errors_text(form))
    return redirect(opportunity)


@require_POST
@permission_required("sales.change_opportunity", raise_exception=True)
def opportunity_line_delete(request, pk, line_pk):
    line = selectors.opportunity_line_get(user=request.user, opportunity_pk=pk, pk=line_pk)
    services.opportunity_line_remove(actor=request.user, line=line)
    messages.success(request, _("Product removed."))
    return redirect(line.opportunity)


@permission_required("sales.export_opportunity", raise_exception=True)
def opportunity_export(request):
    """The list's current filter as XLSX or CSV: at once when small, else a job with progress."""
    fmt = request.GET.get("format") if request.GET.get("format") in FORMATS else "xlsx"
    query = exports.export_filter(request.GET)
    if not exports.OPPORTUNITIES.too_large(user=request.user, query=query):
        return attachment(*exports.opportunities_export(actor=request.user, data=request.GET, fmt=fmt))
    job = exports.opportunity_export_start(actor=request.user, data=request.GET, fmt=fmt)
    messages.success(request, _("The export has started; this page shows its progress."))
    return redirect("job-detail", pk=job.pk)


@permission_required("sales.add_opportunity", raise_exception=True)
def customer_contacts(request):
    """The contact choices of a customer in scope, for the opportunity form's contact select."""
    customer = customer_get(user=request.user, pk=id_param(request.GET.get("customer")))
    return render(request, "sales/partials/contact_options.html", {"contacts": customer.contacts.all()})
