"""Pages without sign-in: the web ticket form, the signed tracking page and the satisfaction survey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.consent import consent_given
from crm.forms import call_service
from crm.public import over_limit

from .. import selectors
from ..forms import PublicReplyForm, PublicTicketForm, SurveyForm
from ..links import SURVEY, TRACKING, tracking_token
from ..services import public, surveys, tickets


def _too_many(request, template, context):
    context["rate_limited"] = True
    return render(request, template, context, status=429)


@login_not_required
@require_http_methods(["GET", "POST"])
def ticket_submit(request):
    form = PublicTicketForm(request.POST or None)
    if request.method == "POST":
        if over_limit(request, group="service-ticket-form"):
            return _too_many(request, "service/public/ticket_submit.html", {"form": form})
        if form.is_valid():
            ticket = call_service(
                form, public.ticket_submit_web, data=form.cleaned_data, consent=consent_given(request, form)
            )
            if not form.errors:
                messages.success(
                    request, _("Thank you — we received your ticket. Keep this page's address to follow it.")
                )
                return redirect("service:public-ticket-track", token=tracking_token(ticket))
    return render(request, "service/public/ticket_submit.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def ticket_track(request, token):
    ticket = selectors.ticket_by_token(token, purpose=TRACKING)
    form = PublicReplyForm(request.POST or None)
    context = {"ticket": ticket, "form": form, "token": token}
    if request.method == "POST":
        if over_limit(request, group="service-ticket-reply"):
            context["comments"] = selectors.ticket_timeline(ticket=ticket, public_only=True)
            return _too_many(request, "service/public/ticket_track.html", context)
        if form.is_valid():
            call_service(form, tickets.ticket_customer_reply, ticket=ticket, body=form.cleaned_data["body"])
            if not form.errors:
                messages.success(request, _("Your reply was sent."))
                return redirect("service:public-ticket-track", token=token)
    context["comments"] = selectors.ticket_timeline(ticket=ticket, public_only=True)
    return render(request, "service/public/ticket_track.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def survey(request, token):
    ticket = selectors.ticket_by_token(token, purpose=SURVEY)
    answered = selectors.ticket_survey(ticket=ticket)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and answered is None and form.is_valid():
        answered = call_service(form, surveys.survey_answer, ticket=ticket, **form.cleaned_data)
        if not form.errors:
            return render(
                request, "service/public/survey.html", {"ticket": ticket, "answered": answered, "thanks": True}
            )
    return render(request, "service/public/survey.html", {"ticket": ticket, "form": form, "answered": answered})
