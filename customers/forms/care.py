"""Input of the customer-care pages and of the consent action: validation only, the services save."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CarePlan, ContactCadence, Customer
from ..selectors.care import care_assignees


class CareFilterForm(forms.Form):
    """Whose care actions to list: mine (the default), everyone's in scope, or one user's."""

    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {str(u.pk): u for u in care_assignees(user=user)}
        self.fields["assignee"].choices = [("", _("Me")), ("all", _("Everyone I can see"))] + [
            (pk, str(u)) for pk, u in self.users.items() if u.pk != user.pk
        ]
        self.fields["assignee"].widget.attrs["class"] = "form-select form-select-sm"

    def selection(self) -> tuple:
        """(assignee or None, everyone)."""
        value = self.cleaned_data.get("assignee", "") if self.is_valid() else ""
        if value == "all":
            return None, True
        return self.users.get(value), False


class CareOutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=2000)


class CarePlanForm(forms.ModelForm):
    class Meta:
        model = CarePlan
        fields = [
            "name", "occasion", "channel", "date", "days_before", "days_after_purchase", "level", "group", "content",
            "is_active",
        ]  # fmt: skip
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "content": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("occasion"), Column("channel")),
            Row(Column("date"), Column("days_before"), Column("days_after_purchase")),
            Row(Column("level"), Column("group")),
            "content",
            "is_active",
        )

    def _post_clean(self):
        # The service validates and saves.
        pass


class ContactCadenceForm(forms.ModelForm):
    class Meta:
        model = ContactCadence
        fields = ["name", "level", "lifecycle_stage", "group", "interval_days", "channel", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("interval_days"), Column("channel")),
            Row(Column("level"), Column("lifecycle_stage"), Column("group")),
            "is_active",
        )

    def _post_clean(self):
        pass


class ConsentForm(forms.Form):
    consent = forms.ChoiceField(label=_("Marketing consent"), choices=Customer.Consent.choices)
    consent_method = forms.CharField(
        label=_("How"), max_length=100, required=False, help_text=_("For example: phone call, signed form, e-mail.")
    )
