import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.filters import SortFilter
from crm.widgets import render_in_python

from .models import Asset, Campaign, Event, Registration


def _style(filterset):
    for field in filterset.form.fields.values():
        is_select = isinstance(field.widget, forms.Select)
        field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"
    render_in_python(filterset.form)


class CampaignFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Campaign.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Campaign.Status.choices)
    sort = SortFilter(
        label=_("Sort"),
        fields=(("name", "name"), ("start_date", "start"), ("budget", "budget"), ("actual_cost", "cost")),
        field_labels={
            "name": _("Name"),
            "start_date": _("Start date"),
            "budget": _("Budget"),
            "actual_cost": _("Actual cost"),
        },
    )

    class Meta:
        model = Campaign
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="theme", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Event.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Event.Kind.choices)
    sort = SortFilter(
        label=_("Sort"),
        fields=(("starts_at", "starts"), ("theme", "theme"), ("capacity", "capacity")),
        field_labels={"starts_at": _("Starts at"), "theme": _("Theme"), "capacity": _("Capacity")},
    )

    class Meta:
        model = Event
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RegistrationFilter(django_filters.FilterSet):
    """The registrations of events (the API's list; the pages show them on the event)."""

    event = django_filters.NumberFilter(label=_("Event"), field_name="event_id")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Registration.Status.choices)
    checked_in = django_filters.BooleanFilter(label=_("Checked in"), field_name="checked_in_at", lookup_expr="isnull",
                                              exclude=True)  # fmt: skip

    class Meta:
        model = Registration
        fields = []


class AssetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Asset.Kind.choices)

    class Meta:
        model = Asset
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(tags__contains=[value.strip()]))
