"""Campaigns: list, detail, create and edit; the campaign-effect comparison."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm.forms import call_service
from crm.pagination import paginate

from .. import links, selectors
from ..effect import campaign_effect
from ..forms import CampaignForm
from ..services import campaigns as services


@permission_required("marketing.view_campaign", raise_exception=True)
def campaign_list(request):
    filterset = selectors.campaign_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request)
    template = "marketing/partials/campaign_table.html" if request.htmx else "marketing/campaign_list.html"
    return render(request, template, {"filter": filterset, "page": page})


@permission_required("marketing.view_campaign", raise_exception=True)
def campaign_detail(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    effect = campaign_effect([campaign])[0]
    context = {
        "campaign": campaign,
        "events": selectors.campaign_events(campaign=campaign),
        "effect": effect,
        "prospects": selectors.prospect_list(user=request.user, campaign=campaign)[:20],
        "email_campaigns": campaign.email_campaigns.select_related("group"),
        "web_form_url": links.web_form_url(campaign),
    }
    return render(request, "marketing/campaign_detail.html", context)


def _save(request, form, campaign=None):
    data = {k: v for k, v in form.cleaned_data.items() if k != "target_groups"}
    groups = form.cleaned_data["target_groups"]
    if campaign is None:
        return call_service(form, services.campaign_create, actor=request.user, data=data, target_groups=groups)
    return call_service(
        form, services.campaign_update, actor=request.user, campaign=campaign, data=data, target_groups=groups
    )


@permission_required("marketing.add_campaign", raise_exception=True)
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (campaign := _save(request, form)):
        messages.success(request, _("Campaign created."))
        return redirect(campaign)
    return render(request, "marketing/campaign_form.html", {"form": form})


@permission_required("marketing.change_campaign", raise_exception=True)
def campaign_update(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid() and _save(request, form, campaign):
        messages.success(request, _("Campaign saved."))
        return redirect(campaign)
    return render(request, "marketing/campaign_form.html", {"form": form, "campaign": campaign})


@permission_required("marketing.view_campaign", raise_exception=True)
def campaign_effect_view(request):
    """Campaign effect (营销效果评估): the chosen campaigns (or the latest) side by side, with charts."""
    ids = [int(v) for v in request.GET.getlist("campaign") if v.isdigit()]
    rows = campaign_effect(selectors.campaigns_for_effect(user=request.user, ids=ids))
    chart = {
        "labels": [row["campaign"].name for row in rows],
        "series": [
            {"label": _("Cost"), "values": [str(row["cost"]) for row in rows]},
            {"label": _("Won revenue"), "values": [str(row["won_revenue"]) for row in rows]},
        ],
        "roi": {"label": _("ROI"), "values": [str(row["roi"] or 0) for row in rows]},
        "leads": {"label": _("Leads"), "values": [row["leads"] for row in rows]},
    }
    context = {
        "rows": rows,
        "chart": chart,
        "choices": selectors.campaign_choices(user=request.user),
        "chosen": ids,
    }
    return render(request, "marketing/campaign_effect.html", context)
