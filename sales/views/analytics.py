from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.forms import call_service
from crm.pagination import paginate

from .. import analytics, selectors
from ..forms import ForecastForm, PerformanceForm, TargetForm
from ..services import targets as services
from .common import render_form_context

PAST_MONTHS = 3


@permission_required("sales.view_salestarget", raise_exception=True)
def forecast(request):
    form = ForecastForm(request.GET or None, user=request.user)
    chosen = form.cleaned_data if form.is_valid() else {}
    opportunities, targets = selectors.forecast_inputs(
        user=request.user, owner=chosen.get("owner"), team=chosen.get("team")
    )
    result = analytics.forecast(user=request.user, opportunities=opportunities, targets=targets)
    # How the last quarter went against its targets: what the forecast is worth.
    start = analytics.add_months(analytics.month_start(timezone.localdate()), -PAST_MONTHS)
    past = analytics.forecast(
        user=request.user,
        opportunities=opportunities,
        targets=targets,
        months=PAST_MONTHS,
        start=start,
        rates=result["rates"],
    )
    chart = {
        "labels": [m.month.strftime("%Y-%m") for m in result["months"]],
        "datasets": [
            {"label": str(_("Target")), "data": [float(m.target) for m in result["months"]], "type": "line"},
            {"label": str(_("Won")), "data": [float(m.won) for m in result["months"]]},
            {"label": str(_("Weighted pipeline")), "data": [float(m.weighted) for m in result["months"]]},
        ],
    }
    context = {"form": form, "result": result, "chart": chart, "past": past["months"]}
    return render(request, "sales/forecast.html", context)


@permission_required("sales.view_opportunity", raise_exception=True)
def performance(request):
    form = PerformanceForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    start, end, dimension, team = date(today.year, 1, 1), today, "rep", None
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        dimension = form.cleaned_data["by"] or dimension
        team = form.cleaned_data["team"]
    opportunities = selectors.performance_inputs(user=request.user, team=team)
    result = analytics.performance(opportunities=opportunities, start=start, end=end, dimension=dimension)
    chart = {
        "labels": [str(row["label"]) for row in result["rows"]],
        "values": [float(row["won_amount"]) for row in result["rows"]],
        "label": str(_("Won amount")),
    }
    context = {"form": form, "result": result, "chart": chart, "start": start, "end": end, "dimension": dimension}
    return render(request, "sales/performance.html", context)


@permission_required("sales.view_salestarget", raise_exception=True)
def target_list(request):
    page = paginate(selectors.targets_visible_to(user=request.user), request)
    return render(request, "sales/target_list.html", {"page": page})


@permission_required("sales.add_salestarget", raise_exception=True)
def target_create(request):
    form = TargetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        target = call_service(form, services.target_save, actor=request.user, data=form.cleaned_data)
        if target is not None:
            messages.success(request, _("Target saved."))
            return redirect("sales:target-list")
    context = render_form_context(
        title=_("New sales target"), form=form, cancel_url=reverse("sales:target-list"),
        parents=[(reverse("sales:target-list"), _("Sales targets"))],
    )  # fmt: skip
    return render(request, "form_page.html", context)
