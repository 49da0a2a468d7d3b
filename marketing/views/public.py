"""Pages a customer opens from a signed link, without signing in: register, cancel, survey,
unsubscribe, and the embeddable web-to-lead form. A bad or expired link answers 404."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from crm.consent import consent_given
from crm.forms import call_service
from crm.links import read_or_404
from crm.public import over_limit
from customers.models import Customer

from .. import links
from ..forms import RegistrationForm, SurveyForm, WebLeadForm
from ..models import Campaign, Event, Invitation, Registration
from ..services import emails, prospects, registrations


def _too_many(request, template, context):
    context["form"].add_error(None, _("Too many submissions from your address. Please try again later."))
    return render(request, template, context, status=429)


def _register(request, event, invitation=None):
    initial = {"name": invitation.name, "email": invitation.email, "phone": invitation.phone} if invitation else None
    form = RegistrationForm(request.POST or None, initial=initial)
    context = {"event": event, "form": form, "invitation": invitation}
    template = "marketing/public/register.html"
    if request.method == "POST":
        if over_limit(request, group="marketing-register"):
            return _too_many(request, template, context)
        if form.is_valid():
            registration = call_service(
                form,
                registrations.registration_create,
                event=event,
                data=form.cleaned_data,
                invitation=invitation,
                consent=consent_given(request, form),
            )
            if not form.errors:
                return render(
                    request, "marketing/public/registered.html", {"event": event, "registration": registration}
                )
    return render(request, template, context)


@login_not_required
def public_register(request, token):
    """The registration page an invitation links to: the invitee's details filled in."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("event", "customer"), pk=read_or_404(links.INVITATION, token)
    )
    return _register(request, invitation.event, invitation)


@login_not_required
def public_event(request, token):
    """The event's open registration page, for sharing beyond the invitation list."""
    event = get_object_or_404(Event, pk=read_or_404(links.EVENT, token))
    return _register(request, event)


@login_not_required
def public_cancel(request, token):
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=read_or_404(links.CANCEL, token))
    done, error = False, ""
    if request.method == "POST":
        try:
            registrations.registration_cancel(registration=registration)
            done = True
        except ValidationError as problem:
            error = " ".join(problem.messages)
    registration.refresh_from_db()
    return render(request, "marketing/public/cancel.html", {"registration": registration, "done": done, "error": error})


@login_not_required
def public_survey(request, token):
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=read_or_404(links.SURVEY, token))
    form = SurveyForm(request.POST or None)
    done = hasattr(registration, "survey_response")
    if request.method == "POST" and not done and form.is_valid():
        call_service(form, registrations.survey_answer,
            registration=registration, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"],
        )  # fmt: skip
        done = not form.errors
    context = {"registration": registration, "event": registration.event, "form": form, "done": done}
    return render(request, "marketing/public/survey.html", context)


@login_not_required
def public_unsubscribe(request, token):
    customer = get_object_or_404(Customer, pk=read_or_404(links.UNSUBSCRIBE, token))
    done = False
    if request.method == "POST":
        emails.customer_unsubscribe(customer=customer)
        done = True
    return render(request, "marketing/public/unsubscribe.html", {"done": done})


@login_not_required
@xframe_options_exempt
@csrf_exempt
def public_web_form(request, token):
    """The web-to-lead form; other sites embed it in an iframe, so it may be framed.

    Inside another site's frame the browser withholds the CSRF cookie (SameSite), so the form does
    without it: nobody is signed in here, so there is no session to forge a request for, and the
    captcha and the rate limit are what hold off abuse.
    """
    campaign = get_object_or_404(Campaign, pk=read_or_404(links.WEB_FORM, token))
    form = WebLeadForm(request.POST or None)
    context = {"campaign": campaign, "form": form, "done": False}
    template = "marketing/public/web_form.html"
    if request.method == "POST":
        if over_limit(request, group="marketing-web-form"):
            return _too_many(request, template, context)
        if form.is_valid():
            prospects.web_form_submit(campaign=campaign, data=form.cleaned_data, consent=consent_given(request, form))
            context.update(done=True, form=WebLeadForm())
    return render(request, template, context)
