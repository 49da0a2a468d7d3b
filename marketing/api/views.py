"""Campaigns, events (+ status, check-in by code) and registrations (+ check-in) over the API: the same
forms, selectors and services as the pages (marketing/views/). The pages delete none of them, nor does
the API."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api.viewsets import IF_MATCH_HEADER, WRITE_RESPONSES, ResourceViewSet, resource

from .. import selectors
from ..filters import CampaignFilter, EventFilter, RegistrationFilter
from ..forms import CampaignForm, CheckInForm, EventForm, EventStatusForm
from ..models import Campaign, Event, Registration
from ..services import campaigns, events, registrations
from .serializers import CampaignSerializer, EventSerializer, RegistrationSerializer


class CampaignViewSet(ResourceViewSet):
    serializer_class = CampaignSerializer
    form_class = CampaignForm
    filterset_class = CampaignFilter
    orderings = ("id", "created_at", "updated_at", "name")
    default_ordering = "-created_at"
    operations = ("list", "retrieve", "create", "update")

    def get_queryset(self):
        return Campaign.objects.visible_to(self.request.user)

    def list_source(self, params):
        filterset = selectors.campaign_list(user=self.request.user, data=params)
        filterset.queryset = filterset.queryset.prefetch_related("target_groups")
        return filterset

    def get_object(self):
        return selectors.campaign_get(user=self.request.user, pk=self.kwargs["pk"])

    def _split(self, cleaned):
        data = dict(cleaned)
        return data, data.pop("target_groups")

    def create_from(self, cleaned):
        data, groups = self._split(cleaned)
        return campaigns.campaign_create(actor=self.request.user, data=data, target_groups=groups)

    def update_from(self, obj, cleaned, version):
        data, groups = self._split(cleaned)
        return campaigns.campaign_update(actor=self.request.user, campaign=obj, data=data, target_groups=groups)


status_request = inline_serializer("EventStatus", {"status": serializers.ChoiceField(choices=Event.Status.choices)})
code_request = inline_serializer("EventCheckIn", {"code": serializers.CharField(max_length=32)})


class EventViewSet(ResourceViewSet):
    """Events of the campaigns in scope; publishing (status ``published``) sends the invitations."""

    serializer_class = EventSerializer
    form_class = EventForm
    filterset_class = EventFilter
    orderings = ("id", "created_at", "updated_at", "starts_at")
    default_ordering = "-starts_at"
    operations = ("list", "retrieve", "create", "update")
    action_permissions = {"status": "marketing.change_event", "check_in": "marketing.checkin_event"}

    def get_queryset(self):
        return Event.objects.visible_to(self.request.user)

    def list_source(self, params):
        filterset = selectors.event_list(user=self.request.user, data=params)
        filterset.queryset = filterset.queryset.prefetch_related("invite_groups")
        return filterset

    def get_object(self):
        return selectors.event_get(user=self.request.user, pk=self.kwargs["pk"])

    def form_kwargs(self, data, instance=None):
        return {"user": self.request.user, "campaigns": selectors.campaign_choices(user=self.request.user)}

    def _data(self, cleaned):
        return {name: value for name, value in cleaned.items() if name in events.EVENT_FIELDS}

    def create_from(self, cleaned):
        return events.event_create(
            actor=self.request.user,
            campaign=cleaned["campaign"],
            data=self._data(cleaned),
            audience=self.current_form.audience(),
        )

    def update_from(self, obj, cleaned, version):
        return events.event_update(
            actor=self.request.user, event=obj, data=self._data(cleaned), audience=self.current_form.audience()
        )

    @extend_schema(tags=["events"], request=status_request, responses={200: EventSerializer, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Along the workflow draft → published → ongoing → finished (or cancelled); publishing needs the
        permission to publish and sends the invitations in the background."""
        event = self.get_object()
        new_status = self.action_input(EventStatusForm)["status"]
        if new_status == Event.Status.PUBLISHED and not request.user.has_perm("marketing.publish_event"):
            raise PermissionDenied
        return self.act(
            event, lambda _version: events.event_set_status(actor=request.user, event=event, status=new_status)
        )

    @extend_schema(tags=["events"], request=code_request, responses={200: RegistrationSerializer, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request, pk=None):
        """At the door: the code from the registrant's QR code checks them in (again: no change)."""
        event = self.get_object()
        code = self.action_input(CheckInForm)["code"]
        registration, _first = self.write(registrations.registration_check_in, actor=request.user, event=event,
                                          code=code)  # fmt: skip
        return Response(RegistrationSerializer(registration, context=self.get_serializer_context()).data)


class RegistrationForm(forms.Form):
    """Someone registered by a colleague or another system (the public page asks its own questions)."""

    event = forms.ModelChoiceField(label=gettext_lazy("Event"), queryset=None)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    company = forms.CharField(label=gettext_lazy("Company"), max_length=200, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    phone = forms.CharField(label=gettext_lazy("Mobile"), max_length=32, required=False)

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = selectors.event_choices(user=user)


class RegistrationViewSet(ResourceViewSet):
    """Registrations of the events in scope: a seat while there are any, else the waitlist (as on the public
    page, with its capacity and deadline), then checked in at the door."""

    serializer_class = RegistrationSerializer
    form_class = RegistrationForm
    filterset_class = RegistrationFilter
    orderings = ("id", "registered_at", "updated_at")
    default_ordering = "-id"
    operations = ("list", "retrieve", "create")
    action_permissions = {"check_in": "marketing.checkin_event", "cancel": "marketing.change_registration"}

    def get_queryset(self):
        return Registration.objects.visible_to(self.request.user)

    def list_source(self, params):
        return selectors.registration_list(user=self.request.user, data=params)

    def get_object(self):
        return selectors.registration_get(user=self.request.user, pk=self.kwargs["pk"])

    def form_kwargs(self, data, instance=None):
        return {"user": self.request.user}

    def create_from(self, cleaned):
        data = dict(cleaned)
        event = data.pop("event")
        return registrations.registration_create(actor=self.request.user, event=event, data=data)

    @extend_schema(tags=["registrations"], request=None, responses={200: RegistrationSerializer, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request, pk=None):
        """Check this registrant in (a waitlisted or cancelled one is refused; a second time changes nothing)."""
        registration = self.get_object()
        checked_in, _first = self.write(
            registrations.registration_check_in,
            actor=request.user,
            event=registration.event,
            code=registration.code,
        )
        return self.serialize(checked_in)

    @extend_schema(
        tags=["registrations"], request=None, responses={200: RegistrationSerializer, **WRITE_RESPONSES},
        parameters=[IF_MATCH_HEADER],
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel, as the registrant's own cancel link does: a freed seat goes to the first on the waitlist
        (who is e-mailed); a checked-in registrant cannot be cancelled; a second time changes nothing."""
        registration = self.get_object()

        def cancel(_version):
            # The service answers with whoever got the freed seat; the answer here is this registration.
            registrations.registration_cancel(actor=request.user, registration=registration)
            return selectors.registration_get(user=request.user, pk=registration.pk)

        return self.act(registration, cancel)


CampaignViewSet = resource(CampaignViewSet, tag="campaigns")
EventViewSet = resource(EventViewSet, tag="events")
RegistrationViewSet = resource(RegistrationViewSet, tag="registrations")
