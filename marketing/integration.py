"""Where marketing plugs into the customers app's registries: invitations, event registrations and survey
answers on the customer 360 timeline, and its copies of a customer's personal data (registrations,
invitations, web-form prospects, e-mail recipients, survey comments) in the export and the erasure.
Connected once from :meth:`marketing.apps.MarketingConfig.ready`."""

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.consent import CONSENT_PERSONAL_FIELDS, consents_erase, consents_export
from customers.models import Customer
from customers.services.privacy import customer_identifiers, erased_marker, register_personal_data_source
from customers.timeline import TimelineSource, register_model_source, register_timeline_source

from .api import register_webhooks
from .models import EmailRecipient, Invitation, Prospect, Registration, SurveyResponse


def _prospects_of(customer):
    """Prospects carry no link to a customer: they are the same person when the e-mail or phone matches."""
    emails, phones = customer_identifiers(customer)
    condition = Q(email__in=[])
    for email in emails:
        condition |= Q(email__iexact=email)
    if phones:
        condition |= Q(phone__in=phones)
    return Prospect.objects.filter(condition)


def _consent_records(customer):
    """What consents on marketing's public forms are kept with: registrations, web-form leads, and the
    customer themselves when an existing customer sent the web-to-lead form."""
    return (
        Registration.objects.filter(customer=customer),
        _prospects_of(customer),
        Customer.objects.filter(pk=customer.pk),
    )


def export(customer) -> list:
    rows = Registration.objects.filter(customer=customer).select_related("event").order_by("pk")
    return [
        {
            "event": row.event.theme,
            "name": row.name,
            "company": row.company,
            "email": row.email,
            "phone": row.phone,
            "status": row.status,
            "registered_at": row.registered_at,
            "checked_in_at": row.checked_in_at,
        }
        for row in rows
    ]


def export_prospects(customer) -> list:
    return list(
        _prospects_of(customer)
        .order_by("pk")
        .values("campaign__name", "name", "company", "email", "phone", "message", "created_at")
    )


def erase(customer) -> None:
    marker = erased_marker()
    Registration.objects.filter(customer=customer).update(
        name=marker, company="", email="", phone="", updated_at=timezone.now()
    )
    Invitation.objects.filter(customer=customer).update(name=marker, email="", phone="")
    SurveyResponse.objects.filter(registration__customer=customer).update(comment="")
    EmailRecipient.objects.filter(customer=customer).update(email="")
    _prospects_of(customer).update(name=marker, company="", email="", phone="", message="")


def register():
    register_webhooks()
    register_personal_data_source(
        "event_registrations",
        export=export,
        erase=erase,
        fields={
            "marketing.Registration": ("name", "company", "email", "phone"),
            "marketing.Invitation": ("name", "email", "phone"),
            "marketing.SurveyResponse": ("comment",),
            "marketing.EmailRecipient": ("email",),
            "marketing.Prospect": ("name", "company", "email", "phone", "message"),
        },
    )
    register_personal_data_source("campaign_prospects", export=export_prospects)
    register_personal_data_source(
        "marketing_consents",
        export=lambda customer: consents_export(*_consent_records(customer)),
        erase=lambda customer: consents_erase(*_consent_records(customer)),
        fields=CONSENT_PERSONAL_FIELDS,
    )
    register_model_source(
        Invitation, kind="event_invitation", label=_("Event invitation"), icon="bi-envelope-open",
        at="created_at", title=F("event__theme"), related=("event",),
        template="marketing/partials/timeline_invitation.html",
    )  # fmt: skip
    register_model_source(
        Registration, kind="event_registration", label=_("Event registration"), icon="bi-calendar-check",
        at="registered_at", title=F("event__theme"), related=("event",),
        template="marketing/partials/timeline_registration.html",
    )  # fmt: skip
    register_timeline_source(
        TimelineSource(
            kind="event_survey",
            label=_("Event survey answer"),
            icon="bi-star",
            rows=lambda customer, user: SurveyResponse.objects.filter(
                registration__in=Registration.objects.visible_to(user).filter(customer=customer).values("pk")
            ),
            at="answered_at",
            title=F("registration__event__theme"),
            load=lambda ids: SurveyResponse.objects.filter(pk__in=ids).select_related("registration__event"),
            template="marketing/partials/timeline_survey.html",
        )
    )
