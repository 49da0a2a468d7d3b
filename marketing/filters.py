import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.filters import ListFilterSet, SortFilter

from .models import Asset, Campaign, Event, Registration


class CampaignFilter(ListFilterSet):
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


class EventFilter(ListFilterSet):
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


class RegistrationFilter(ListFilterSet):
    """The registrations of events (the API's list; the pages show them on the event)."""

    event = django_filters.NumberFilter(label=_("Event"), field_name="event_id")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Registration.Status.choices)
    checked_in = django_filters.BooleanFilter(label=_("Checked in"), field_name="checked_in_at", lookup_expr="isnull",
                                              exclude=True)  # fmt: skip

    class Meta:
        model = Registration
        fields = []


class AssetFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Asset.Kind.choices)

    class Meta:
        model = Asset
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(tags__contains=[value.strip()]))
