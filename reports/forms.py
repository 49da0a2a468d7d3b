"""Input of the reports pages: dashboard filters, the builder, saving and sharing, schedules, statistics."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import role_label
from crm.forms import DatePicker

from .builder import AGGREGATE_LABELS, CHARTS, OPERATOR_LABELS, TRUNCATION_LABELS
from .dashboard_filters import DashboardFilters
from .models import ReportSchedule, SavedReport
from .registry import AGGREGATES, TRUNCATIONS

FILTER_ROWS = 3
AGGREGATE_ROWS = 3
PERIODS = [
    ("30d", _("Last 30 days")),
    ("3m", _("Last 3 months")),
    ("12m", _("Last 12 months")),
    ("ytd", _("This year")),
    ("custom", _("Custom")),
]


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        is_select = isinstance(widget, forms.Select)
        widget.attrs.setdefault("class", "form-select form-select-sm" if is_select else "form-control form-control-sm")


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False, initial="12m")
    start = forms.DateField(label=_("From"), required=False, widget=DatePicker())
    end = forms.DateField(label=_("Until"), required=False, widget=DatePicker())
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)

    def __init__(self, *args, teams, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["owner"].queryset = owners
        _style(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period comes before its start."))
        if start and end and (end - start).days > 366 * 3:
            self.add_error("start", _("Choose a period of at most three years."))
        return data

    def filters(self) -> DashboardFilters:
        """The filters asked for; the last 12 months when nothing (or something invalid) was asked."""
        default = DashboardFilters.default()
        if not self.is_bound or not self.is_valid():
            return default
        data = self.cleaned_data
        today = timezone.localdate()
        period = data.get("period") or ("custom" if data.get("start") or data.get("end") else "12m")
        if period == "30d":
            start, end = today - datetime.timedelta(days=29), today
        elif period == "3m":
            start, end = DashboardFilters.default(months=3).start, today
        elif period == "ytd":
            start, end = today.replace(month=1, day=1), today
        elif period == "custom":
            start, end = data.get("start") or default.start, data.get("end") or today
        else:
            start, end = default.start, today
        team, owner = data.get("team"), data.get("owner")
        return DashboardFilters(start=start, end=end, team=team.pk if team else None, owner=owner.pk if owner else None)


class BuilderForm(forms.Form):
    """The builder's choices, all drawn from the data set's whitelist; anything else is refused here."""

    dataset = forms.ChoiceField(label=_("Data set"))
    columns = forms.MultipleChoiceField(label=_("Columns"), required=False, widget=forms.CheckboxSelectMultiple)
    chart = forms.ChoiceField(
        label=_("Chart"),
        choices=[(c, label) for c, label in SavedReport.Chart.choices if c in CHARTS],
        initial="table",
        required=False,
    )

    def __init__(self, *args, datasets, dataset, **kwargs):
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        self.fields["dataset"].choices = [(d.key, d.label) for d in datasets]
        self.fields["dataset"].widget.attrs["data-dataset-switch"] = ""
        self.fields["columns"].choices = [(f.key, f.label) for f in dataset.columns()]
        filterable = [("", "—")] + [(f.key, f.label) for f in dataset.filterable()]
        operators = [(op, OPERATOR_LABELS[op]) for op in OPERATOR_LABELS]
        for n in range(1, FILTER_ROWS + 1):
            self.fields[f"filter_{n}"] = forms.ChoiceField(label=_("Filter"), choices=filterable, required=False)
            self.fields[f"op_{n}"] = forms.ChoiceField(label=_("Operator"), choices=operators, required=False)
            self.fields[f"value_{n}"] = forms.CharField(label=_("Value"), required=False, max_length=500)
        groupable = [("", "—")] + [(f.key, f.label) for f in dataset.groupable()]
        truncations = [("", "—")] + [(t, TRUNCATION_LABELS[t]) for t in TRUNCATIONS]
        for n in (1, 2):
            self.fields[f"group_{n}"] = forms.ChoiceField(label=_("Group by"), choices=groupable, required=False)
            self.fields[f"trunc_{n}"] = forms.ChoiceField(label=_("Dates"), choices=truncations, required=False)
        functions = [("", "—")] + [(a, AGGREGATE_LABELS[a]) for a in AGGREGATES]
        numbers = [("", "—")] + [(f.key, f.label) for f in dataset.aggregatable()]
        for n in range(1, AGGREGATE_ROWS + 1):
            self.fields[f"agg_{n}"] = forms.ChoiceField(label=_("Aggregate"), choices=functions, required=False)
            self.fields[f"agg_field_{n}"] = forms.ChoiceField(label=_("Of"), choices=numbers, required=False)
        _style(self)

    def filter_rows(self):
        return [(self[f"filter_{n}"], self[f"op_{n}"], self[f"value_{n}"]) for n in range(1, FILTER_ROWS + 1)]

    def group_rows(self):
        return [(self[f"group_{n}"], self[f"trunc_{n}"]) for n in (1, 2)]

    def aggregate_rows(self):
        return [(self[f"agg_{n}"], self[f"agg_field_{n}"]) for n in range(1, AGGREGATE_ROWS + 1)]

    def definition(self) -> dict:
        data = self.cleaned_data
        return {
            "columns": data.get("columns") or [],
            "filters": [
                {"field": data[f"filter_{n}"], "op": data.get(f"op_{n}") or "eq", "value": data.get(f"value_{n}", "")}
                for n in range(1, FILTER_ROWS + 1)
                if data.get(f"filter_{n}")
            ],
            "group_by": [
                {"field": data[f"group_{n}"], "trunc": data.get(f"trunc_{n}") or ""}
                for n in (1, 2)
                if data.get(f"group_{n}")
            ],
            "aggregates": [
                {"func": data[f"agg_{n}"], "field": data.get(f"agg_field_{n}") or ""}
                for n in range(1, AGGREGATE_ROWS + 1)
                if data.get(f"agg_{n}")
            ],
            "chart": data.get("chart") or "table",
        }

    @staticmethod
    def initial_from(dataset_key: str, definition: dict) -> QueryDict:
        """The query a saved definition opens the builder with."""
        data = QueryDict(mutable=True)
        data["dataset"] = dataset_key
        data.setlist("columns", [str(c) for c in definition.get("columns", [])])
        data["chart"] = definition.get("chart") or "table"
        for n, item in enumerate(definition.get("filters", []), start=1):
            value = item.get("value", "")
            data[f"filter_{n}"], data[f"op_{n}"] = item.get("field", ""), item.get("op", "eq")
            data[f"value_{n}"] = ",".join(value) if isinstance(value, list) else str(value)
        for n, item in enumerate(definition.get("group_by", []), start=1):
            data[f"group_{n}"], data[f"trunc_{n}"] = item.get("field", ""), item.get("trunc") or ""
        for n, item in enumerate(definition.get("aggregates", []), start=1):
            data[f"agg_{n}"], data[f"agg_field_{n}"] = item.get("func", ""), item.get("field") or ""
        return data


class SaveReportForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    users = forms.ModelMultipleChoiceField(label=_("Share with users"), queryset=None, required=False)
    roles = forms.ModelMultipleChoiceField(label=_("Share with roles"), queryset=None, required=False)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["roles"].queryset = roles
        self.fields["roles"].label_from_instance = lambda group: role_label(group.name)
        _style(self)


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ReportSchedule
        fields = ["frequency", "send_hour", "format", "recipients"]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 2})}

    def clean_send_hour(self):
        hour = self.cleaned_data["send_hour"]
        if not 0 <= hour <= 23:
            raise forms.ValidationError(_("Choose an hour from 0 to 23."))
        return hour

    def clean_recipients(self):

        text = self.cleaned_data["recipients"]
        addresses = [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]
        if not addresses:
            raise forms.ValidationError(_("Give at least one e-mail address."))
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(address)s” is not an e-mail address.") % {"address": address}
                ) from None
        return "\n".join(addresses)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class StatisticsForm(forms.Form):
    dataset = forms.ChoiceField(label=_("Data set"))
    measures = forms.MultipleChoiceField(label=_("Measures"), widget=forms.CheckboxSelectMultiple)
    x = forms.ChoiceField(label=_("X (explains)"))
    y = forms.ChoiceField(label=_("Y (explained)"))

    def __init__(self, *args, datasets, dataset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [(d.key, d.label) for d in datasets]
        self.fields["dataset"].widget.attrs["data-dataset-switch"] = ""
        choices = [(m.key, m.label) for m in dataset.measures]
        self.fields["measures"].choices = choices
        self.fields["x"].choices = choices
        self.fields["y"].choices = choices
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("x") and data.get("x") == data.get("y"):
            self.add_error("y", _("Choose two different measures."))
        return data
