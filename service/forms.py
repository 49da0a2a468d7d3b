from captcha.fields import CaptchaField
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.consent import PrivacyConsentFormMixin
from crm.models import Consent
from customers.validators import validate_phone
from sales.models import Order, Product

from .models import Article, Ticket


def _limit_links(form, *, customer, user):
    """Products are a catalogue (active ones, plus the one already linked); orders only the customer's that the
    user may see."""
    current = Q(pk=form.instance.product_id) if form.instance.product_id else Q(pk__in=[])
    form.fields["product"].queryset = Product.objects.filter(Q(is_active=True) | current)
    orders = Order.objects.visible_to(user).filter(customer=customer)
    form.fields["order"].queryset = orders.order_by("-ordered_on", "-pk")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the size and type checks are the service's (crm.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class TicketForm(forms.ModelForm):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=None, required=False)
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=None)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, help_text=_("Empty: the queue assigns round-robin.")
    )

    class Meta:
        model = Ticket
        fields = ["subject", "type", "channel", "priority", "description", "requester_name", "requester_email",
                  "requester_phone", "product", "order"]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, customer, queues, agents, user, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_links(self, customer=customer, user=user)
        self.fields["contact"].queryset = customer.contacts.all()
        self.fields["queue"].queryset = queues
        self.fields["assignee"].queryset = agents
        _bootstrap(self)


class TicketEditForm(forms.ModelForm):
    class Meta:
        model = Ticket
        fields = ["subject", "type", "priority", "description", "product", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_links(self, customer=self.instance.customer, user=user)
        _bootstrap(self)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(label=_("Visible to the customer (sends an e-mail)"), required=False, initial=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents
        _bootstrap(self)


class PublicTicketForm(PrivacyConsentFormMixin, forms.Form):
    privacy_form = Consent.Form.PUBLIC_TICKET

    name = forms.CharField(label=_("Your name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False, validators=[validate_phone])
    type = forms.ChoiceField(label=_("Type"), choices=Ticket.Type.choices, initial=Ticket.Type.INQUIRY)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    captcha = CaptchaField(label=_("Characters in the picture"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and not self.has_error("email"):
            raise ValidationError({"email": _("Give an e-mail address or a phone number so we can answer you.")})
        return data


class PublicReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your request?"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    nps = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend or colleague? (0–10, optional)"),
        choices=[("", "—")] + [(i, str(i)) for i in range(0, 11)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(label=_("Anything else you want to tell us?"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].widget.attrs["class"] = "form-control"
        self.fields["nps"].widget.attrs["class"] = "form-select"


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "category", "status", "language", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
