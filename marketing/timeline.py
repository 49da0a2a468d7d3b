"""Marketing's entries on the customer 360 timeline: invitations, event registrations, survey answers.

Registered from ``MarketingConfig.ready()`` through the customers app's timeline registry.
"""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from customers.timeline import TimelineSource, register_model_source, register_timeline_source

from .models import Invitation, Registration, SurveyResponse


def register():
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
