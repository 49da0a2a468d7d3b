"""Input validation for marketing pages; the services decide and save."""

from captcha.fields import CaptchaField
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.consent import PrivacyConsentFormMixin
from crm.models import Consent
from customers.models import Contact, Customer, CustomerGroup

from .models import Asset, Campaign, EmailCampaign, Event

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name", "kind", "status", "start_date", "end_date", "budget", "actual_cost", "expected_revenue",
            "target_groups", "description",
        ]  # fmt: skip
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The campaign cannot end before it starts."))
        for field in ("budget", "actual_cost", "expected_revenue"):
            if data.get(field) is not None and data[field] < 0:
                self.add_error(field, _("Amounts cannot be negative."))
        return data


class EventForm(forms.ModelForm):
    invite_emails = forms.CharField(
        label=_("Invite by e-mail"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E-mail addresses of customers or contacts, one per line."),
    )

    class Meta:
        model = Event
        fields = [
            "campaign", "theme", "kind", "starts_at", "ends_at", "location", "online_url", "agenda", "capacity",
            "registration_deadline", "poster", "invitation_file", "invite_groups",
        ]  # fmt: skip
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "registration_deadline": DATETIME,
            "agenda": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["campaign"].queryset = campaigns
        self.fields["invite_groups"].queryset = CustomerGroup.objects.all()
        self.fields["capacity"].min_value = 1
        for name in ("starts_at", "ends_at", "registration_deadline"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk:
            self.fields["campaign"].disabled = True
            emails = [c.email for c in self.instance.invite_customers.all() if c.email]
            emails += [c.email for c in self.instance.invite_contacts.all() if c.email]
            self.initial["invite_emails"] = "\n".join(emails)

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity is not None and capacity < 1:
            raise ValidationError(_("An event needs at least one seat."))
        return capacity

    def clean_invite_emails(self):
        """Addresses → the customers and contacts the user may see; unknown ones are named."""
        lines = [line.strip().lower() for line in self.cleaned_data["invite_emails"].replace(",", "\n").splitlines()]
        emails = sorted({line for line in lines if line})
        contacts = list(Contact.objects.visible_to(self.user).filter(email__in=emails))
        customers = list(Customer.objects.visible_to(self.user).filter(email__in=emails))
        known = {c.email.lower() for c in contacts} | {c.email.lower() for c in customers}
        unknown = [email for email in emails if email not in known]
        if unknown:
            raise ValidationError(
                _("No customer or contact you can see has these addresses: %(emails)s") % {"emails": ", ".join(unknown)}
            )
        self.audience_customers, self.audience_contacts = customers, contacts
        return "\n".join(emails)

    def audience(self) -> dict:
        return {
            "customers": getattr(self, "audience_customers", []),
            "contacts": getattr(self, "audience_contacts", []),
            "groups": self.cleaned_data.get("invite_groups", []),
        }


class EventStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=Event.Status.choices,
        error_messages={
            "required": _("Choose the event's new status."),
            "invalid_choice": _("“%(value)s” is not a status an event can have."),
        },
    )


class RegistrationForm(PrivacyConsentFormMixin, forms.Form):
    privacy_form = Consent.Form.EVENT_REGISTRATION

    name = forms.CharField(label=_("Name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Mobile"), max_length=32, required=False)
    captcha = CaptchaField(label=_("Type the characters you see"))


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("Check-in code"), max_length=32)


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied were you with the event?"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything we should know?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EmailCampaignForm(forms.ModelForm):
    class Meta:
        model = EmailCampaign
        fields = ["group", "subject", "body", "rate_per_minute"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def clean_rate_per_minute(self):
        rate = self.cleaned_data["rate_per_minute"]
        if not rate or rate < 1:
            raise ValidationError(_("Send at least one e-mail a minute."))
        return rate


class AssetForm(forms.ModelForm):
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    file = forms.FileField(label=_("File"), required=False)

    class Meta:
        model = Asset
        fields = ["name", "kind", "description", "campaigns", "events"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, campaigns, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaigns"].queryset = campaigns
        self.fields["events"].queryset = events
        self.fields["name"].required = False
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags)


class WebLeadForm(PrivacyConsentFormMixin, forms.Form):
    privacy_form = Consent.Form.WEB_LEAD

    name = forms.CharField(label=_("Name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    captcha = CaptchaField(label=_("Type the characters you see"))

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            self.add_error("email", _("Give an e-mail address or a phone number so we can reply."))
        return data
