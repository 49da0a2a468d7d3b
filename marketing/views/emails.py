"""E-mail campaigns: compose, start, watch per-recipient results, resend the failed."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import call_service, refusal_as_message
from crm.pagination import paginate

from .. import selectors
from ..forms import EmailCampaignForm
from ..models import EmailRecipient
from ..services import emails as services


@permission_required("marketing.view_emailcampaign", raise_exception=True)
def email_list(request):
    page = paginate(selectors.email_campaign_list(user=request.user), request)
    return render(request, "marketing/emailcampaign_list.html", {"page": page})


@permission_required("marketing.add_emailcampaign", raise_exception=True)
def email_create(request, campaign_pk):
    campaign = selectors.campaign_get(user=request.user, pk=campaign_pk)
    form = EmailCampaignForm(
        request.POST or None, initial={"rate_per_minute": services.settings.MARKETING_EMAIL_RATE_PER_MINUTE}
    )
    if request.method == "POST" and form.is_valid():
        email_campaign = call_service(
            form, services.email_campaign_create, actor=request.user, campaign=campaign, data=form.cleaned_data
        )
        if not form.errors:
            messages.success(request, _("E-mail campaign saved as a draft."))
            return redirect(email_campaign)
    return render(request, "marketing/emailcampaign_form.html", {"form": form, "campaign": campaign})


@permission_required("marketing.change_emailcampaign", raise_exception=True)
def email_update(request, pk):
    email_campaign = selectors.email_campaign_get(user=request.user, pk=pk)
    form = EmailCampaignForm(request.POST or None, instance=email_campaign)
    if request.method == "POST" and form.is_valid():
        call_service(
            form,
            services.email_campaign_update,
            actor=request.user,
            email_campaign=email_campaign,
            data=form.cleaned_data,
        )
        if not form.errors:
            messages.success(request, _("E-mail campaign saved."))
            return redirect(email_campaign)
    context = {"form": form, "campaign": email_campaign.campaign, "email_campaign": email_campaign}
    return render(request, "marketing/emailcampaign_form.html", context)


def _detail_context(request, email_campaign):
    status = request.GET.get("status", "")
    return {
        "email_campaign": email_campaign,
        "counts": services.recipient_counts(email_campaign),
        "rate": services.rate_in_force(email_campaign),
        "page": paginate(
            selectors.email_recipients(email_campaign=email_campaign, status=status), request, per_page=50
        ),
        "status": status,
        "statuses": EmailRecipient.Status.choices,
    }


@permission_required("marketing.view_emailcampaign", raise_exception=True)
def email_detail(request, pk):
    email_campaign = selectors.email_campaign_get(user=request.user, pk=pk)
    template = "marketing/partials/email_progress.html" if request.htmx else "marketing/emailcampaign_detail.html"
    return render(request, template, _detail_context(request, email_campaign))


@require_POST
@permission_required("marketing.change_emailcampaign", raise_exception=True)
def email_start(request, pk):
    email_campaign = selectors.email_campaign_get(user=request.user, pk=pk)
    with refusal_as_message(request):
        services.email_campaign_start(actor=request.user, email_campaign=email_campaign)
        messages.success(request, _("Sending has started."))
    return redirect(email_campaign)


@require_POST
@permission_required("marketing.change_emailcampaign", raise_exception=True)
def email_resend(request, pk):
    email_campaign = selectors.email_campaign_get(user=request.user, pk=pk)
    count = services.email_campaign_resend_failed(actor=request.user, email_campaign=email_campaign)
    messages.success(request, _("%(count)s failed e-mails queued again.") % {"count": count})
    return redirect(email_campaign)
