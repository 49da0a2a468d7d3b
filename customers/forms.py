from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.selectors import assignable_users
from crm.scope import Module

from .models import Contact, Customer, CustomerGroup, Tag


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
            "website", "address", "tags", "groups", "consent", "consent_method", "notes",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(user=user, module=Module.CUSTOMERS)
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-8"), Column("kind", css_class="col-md-4")),
            Row(Column("industry"), Column("level"), Column("source"), Column("lifecycle_stage")),
            Row(Column("owner"), Column("phone"), Column("email")),
            Row(Column("website"), Column("address")),
            Row(Column("tags"), Column("groups")),
            Row(Column("consent"), Column("consent_method")),
            "notes",
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the customer's name."))
        return name

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
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("name"), Column("title")),
            Row(Column("mobile"), Column("phone"), Column("email")),
            Row(Column("birthday"), Column("is_primary")),
            "notes",
        )
        self.helper.add_input(Submit("save", _("Save")))

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
