"""Input validation for the sales pages; the services do the checks that need the database state."""

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import assignable_users
from crm.forms import DatePicker
from crm.scope import Module, visible_teams
from crm.widgets import render_in_python
from customers.models import Contact, Customer
from marketing.models import Campaign

from .models import (
    Contract,
    Currency,
    Lead,
    Opportunity,
    Order,
    Pipeline,
    Product,
    ProductCategory,
    SalesTarget,
    Stage,
)  # fmt: skip

# A select of customers lists this many (most recently changed) plus the current one; any customer in
# the user's scope is accepted by id (a customer page's "new opportunity" link passes it).
CUSTOMER_CHOICES = 300


class ServiceModelForm(forms.ModelForm):
    """A model form that only collects input: the service validates the instance and saves it."""

    def _post_clean(self):
        pass


def limit_customer_choices(field, customers, current=None):
    field.queryset = customers
    rows = list(customers.order_by("-updated_at").values_list("pk", "name")[:CUSTOMER_CHOICES])
    if current is not None and current.pk not in {pk for pk, _name in rows}:
        rows.insert(0, (current.pk, current.name))
    field.widget.choices = [("", "---------"), *rows]


def campaign_choices(user, current_id=None):
    """Campaigns a lead or deal may be attributed to: those the user sees, plus the one it already has
    (a web form or a colleague may have attributed it to a campaign the user cannot see)."""
    visible = Campaign.objects.visible_to(user)
    if current_id:
        visible = visible | Campaign.objects.filter(pk=current_id)
    return visible.order_by("name")


class VersionedForm(ServiceModelForm):
    """A deal document's form: carries the version the user saw (the service refuses the save if
    someone saved since) and offers only customers in the user's scope."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.customers = Customer.objects.visible_to(user)
        # A new document started from an opportunity or order offers its customer even if it is not
        # among the most recently changed.
        current = self.instance.customer if self.instance.pk else self.initial.get("customer")
        self.current_customer = current if isinstance(current, Customer) else None
        limit_customer_choices(self.fields["customer"], self.customers, self.current_customer)


class ProductForm(ServiceModelForm):
    class Meta:
        model = Product
        fields = ["sku", "name", "category", "unit", "price", "currency", "stock_on_hand", "is_active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class CategoryForm(ServiceModelForm):
    class Meta:
        model = ProductCategory
        fields = ["name", "parent"]


class LeadForm(ServiceModelForm):
    source = forms.ChoiceField(label=_("Source"), choices=[("", "---------"), *Customer.Source.choices], required=False)

    class Meta:
        model = Lead
        fields = ["name", "company", "title", "phone", "email", "source", "campaign", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_choices(user, self.instance.campaign_id)


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(v, label) for v, label in Lead.Status.choices if v != Lead.Status.CONVERTED],
    )
    disqualified_reason = forms.CharField(label=_("Reason for disqualifying"), max_length=200, required=False)


class LeadAssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(user=user, module=Module.SALES)


# The bulk bar's selects, small and side by side, as the customer list's.
_BULK_SELECT = {"class": "form-select form-select-sm w-auto"}


class LeadBulkForm(forms.Form):
    ACTIONS = [("assign", _("Assign to…")), ("round_robin", _("Deal out round-robin in a team"))]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=forms.Select(attrs=_BULK_SELECT))
    owner = forms.ModelChoiceField(
        label=_("New owner"), queryset=None, required=False, widget=forms.Select(attrs=_BULK_SELECT)
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, widget=forms.Select(attrs=_BULK_SELECT)
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(user=user, module=Module.SALES)
        self.fields["team"].queryset = visible_teams(user, Module.SALES)

    def for_page(self):
        """The form as the lead list draws it: its selects drawn through Django's widget templates were a third of
        the page's template work, so they draw themselves in Python, from choices read now rather than while the
        template draws them."""
        render_in_python(self)
        for field in self.fields.values():
            field.choices = list(iter(field.choices))  # iter: list() would ask a ModelChoiceIterator for a COUNT
        return self

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("owner"):
            self.add_error("owner", _("Choose the new owner."))
        if data.get("action") == "round_robin" and not data.get("team"):
            self.add_error("team", _("Choose the team to deal the leads out to."))
        return data


class LeadConvertForm(forms.Form):
    name = forms.CharField(label=_("Opportunity name"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0, initial=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.CNY)
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False, widget=DatePicker())
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.filter(is_active=True))
    customer = forms.ModelChoiceField(label=_("Attach to existing customer"), queryset=None, required=False)
    create_anyway = forms.BooleanField(
        label=_("Create a new customer even though it looks like a duplicate"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        self.fields["customer"].widget = forms.HiddenInput()
        self.fields["pipeline"].initial = Pipeline.objects.filter(is_active=True, is_default=True).first()
        self.fields["currency"].initial = settings.BASE_CURRENCY


class OpportunityForm(VersionedForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)

    class Meta:
        model = Opportunity
        fields = [
            "name", "customer", "contact", "pipeline", "stage", "amount", "currency", "expected_close_date", "owner",
            "next_step", "next_step_date", "campaign", "description",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "expected_close_date": DatePicker(),
            "next_step_date": DatePicker(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(customer__in=self.customers.values("pk"))
        # Choosing the customer reloads the contact choices (htmx); without JavaScript they fill on save.
        self.fields["customer"].widget.attrs.update(
            {"hx-get": reverse("sales:customer-contacts"), "hx-target": "#id_contact", "hx-trigger": "change"}
        )
        self.fields["contact"].widget.choices = [("", "---------")] + (
            [(c.pk, c.name) for c in self.current_customer.contacts.all()] if self.current_customer else []
        )
        self.fields["owner"].queryset = assignable_users(user=user, module=Module.SALES)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(is_active=True)
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline")
        self.fields["campaign"].queryset = campaign_choices(user, self.instance.campaign_id)
        self.fields["stage"].required = False
        if self.instance.pk:
            self.fields["pipeline"].disabled = True
            self.fields["stage"].queryset = self.instance.pipeline.stages.all()
        else:
            self.fields["owner"].initial = user.pk
            self.fields.pop("stage")

    def clean(self):
        data = super().clean()
        contact, customer = data.get("contact"), data.get("customer")
        if contact and customer and contact.customer_id != customer.pk:
            self.add_error("contact", _("This contact works at another customer."))
        return data


class OpportunityCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("won", _("Won")), ("lost", _("Lost"))])
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OpportunityLineForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.filter(is_active=True))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=14, decimal_places=2, min_value=0, required=False,
        help_text=_("Leave empty for the list price."),
    )  # fmt: skip


class OrderForm(VersionedForm):
    class Meta:
        model = Order
        fields = ["customer", "opportunity", "ordered_on", "currency", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2}), "ordered_on": DatePicker()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["opportunity"].queryset = Opportunity.objects.visible_to(user)
        self.fields["opportunity"].widget = forms.HiddenInput()
        if not self.instance.pk:
            self.fields["ordered_on"].initial = timezone.localdate()


class ProductSelect(forms.Select):
    """Each product option carries its list price (``data-price``), which the order form fills into an
    empty unit price as soon as the product is chosen (static/js/sales.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-price"] = f"{instance.price:.2f}"
        return option


class OrderLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True), widget=ProductSelect
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=14, decimal_places=2, min_value=0, required=False,
        help_text=_("Leave empty for the list price."),
    )  # fmt: skip
    discount_percent = forms.DecimalField(
        label=_("Discount (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The lines sit in a table, not through the form renderer: give them the form's look here.
        for field in self.fields.values():
            small = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", small)


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=3, can_delete=True)


class ContractForm(VersionedForm):
    class Meta:
        model = Contract
        fields = [
            "title", "customer", "opportunity", "order", "start_date", "end_date", "amount", "currency", "status",
            "notes",
        ]  # fmt: skip
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "start_date": DatePicker(),
            "end_date": DatePicker(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["opportunity"].queryset = Opportunity.objects.visible_to(user)
        self.fields["order"].queryset = Order.objects.visible_to(user)
        self.fields["opportunity"].widget = forms.HiddenInput()
        self.fields["order"].widget = forms.HiddenInput()
        if not self.instance.pk:
            self.fields.pop("status")
            # Left empty, a contract made from an order or opportunity takes its amount (the service).
            self.fields["amount"].required = False
            self.fields["amount"].help_text = _("Leave empty to take the order's or opportunity's amount.")

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date is before the start date."))
        return data


class ContractFileForm(forms.Form):
    file = forms.FileField(label=_("File"))


class TargetForm(ServiceModelForm):
    class Meta:
        model = SalesTarget
        fields = ["user", "team", "period", "period_start", "amount"]
        widgets = {"period_start": DatePicker()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = assignable_users(user=user, module=Module.SALES)
        self.fields["team"].queryset = visible_teams(user, Module.SALES)

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("team")):
            raise forms.ValidationError(_("Set a target for either a user or a team."))
        return data


class PerformanceForm(forms.Form):
    DIMENSIONS = [("rep", _("Sales rep")), ("team", _("Team")), ("month", _("Month")), ("product", _("Product"))]

    by = forms.ChoiceField(label=_("By"), choices=DIMENSIONS, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DatePicker())
    end = forms.DateField(label=_("Until"), required=False, widget=DatePicker())
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible_teams(user, Module.SALES)


class ForecastForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Sales rep"), queryset=None, required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(user=user, module=Module.SALES)
        self.fields["team"].queryset = visible_teams(user, Module.SALES)
