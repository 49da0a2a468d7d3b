from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import assignable_users
from crm.scope import Module

from ..models import Communication, Contact, Customer, CustomerGroup, FollowUpTask, Tag


class CustomerForm(forms.ModelForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    tags = forms.ModelMultipleChoiceField(label=_("Tags"), queryset=Tag.objects.all(), required=False)
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"), queryset=CustomerGroup.objects.filter(kind=CustomerGroup.Kind.STATIC), required=False
    )

    class Meta:
        model = Customer
        fields = [
            "name", "kind", "industry", "level", "source", "lifecycle_stage", "owner", "phone", "email",
            "website", "address", "tags", "groups", "consent", "consent_method", "notes", "id_number",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(user=user, module=Module.CUSTOMERS)
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-8"), Column("kind", css_class="col-md-4")),
            Row(Column("industry"), Column("level"), Column("source"), Column("lifecycle_stage")),
            Row(Column("owner"), Column("phone"), Column("email")),
            Row(Column("website"), Column("address"), Column("id_number")),
            Row(Column("tags"), Column("groups")),
            Row(Column("consent"), Column("consent_method")),
            "notes",
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the customer's name."))
        return name

    def clean(self):
        data = super().clean()
        if data.get("id_number") and data.get("kind") != Customer.Kind.INDIVIDUAL:
            self.add_error("id_number", _("Only individual customers have an ID number."))
        return data

    def _post_clean(self):
        # The service validates and saves; the form only collects input and field errors.
        pass


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "mobile", "phone", "email", "birthday", "is_primary", "notes"]
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name"), Column("title")),
            Row(Column("mobile"), Column("phone"), Column("email")),
            Row(Column("birthday"), Column("is_primary")),
            "notes",
        )

    def _post_clean(self):
        pass


class BulkActionForm(forms.Form):
    ACTIONS = [("assign_owner", _("Assign owner")), ("add_tag", _("Add tag"))]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    ids = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Select at least one customer.")},
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.all(), required=False)

    def __init__(self, *args, user, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].queryset = customers
        self.fields["owner"].queryset = assignable_users(user=user, module=Module.CUSTOMERS)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "assign_owner" and not cleaned.get("owner"):
            self.add_error("owner", _("Choose the new owner."))
        if action == "add_tag" and not cleaned.get("tag"):
            self.add_error("tag", _("Choose the tag to add."))
        return cleaned


DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CommunicationForm(forms.ModelForm):
    """A communication record; the quick-add card on the customer page and the edit page share it."""

    class Meta:
        model = Communication
        fields = ["occurred_at", "channel", "contact", "subject", "content", "result", "next_step", "next_follow_up"]
        widgets = {
            "occurred_at": DATETIME_LOCAL,
            "next_follow_up": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "content": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(customer=customer)
        if not self.instance.pk:
            self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("occurred_at"), Column("channel"), Column("contact")),
            "subject",
            "content",
            Row(Column("result"), Column("next_step")),
            Row(Column("next_follow_up", css_class="col-md-6")),
        )

    def _post_clean(self):
        pass


class FollowUpTaskForm(forms.ModelForm):
    class Meta:
        model = FollowUpTask
        fields = ["title", "due_at", "assignee", "notes"]
        widgets = {"due_at": DATETIME_LOCAL, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users(user=user, module=Module.CUSTOMERS)
        self.fields["assignee"].initial = user.pk
        tomorrow = timezone.localtime() + timedelta(days=1)
        self.fields["due_at"].initial = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
        self.helper = FormHelper()
        self.helper.layout = Layout("title", Row(Column("due_at"), Column("assignee")), "notes")

    def _post_clean(self):
        pass


class TaskRescheduleForm(forms.Form):
    due_at = forms.DateTimeField(label=_("New due time"), widget=DATETIME_LOCAL)
