"""Marketing records in Django admin: for looking up, not editing — every write goes through the app's
services (the seats, the sends and the behaviour log depend on it)."""

from django.contrib import admin

from crm.admin import ReadOnlyAdmin as BaseReadOnlyAdmin

from .models import Campaign, EmailCampaign, Event, Prospect, Registration


class ReadOnlyAdmin(BaseReadOnlyAdmin):
    show_full_result_count = False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "status", "start_date", "owner", "budget", "actual_cost"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]
    list_select_related = ["owner"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["theme", "campaign", "status", "starts_at", "capacity"]
    list_filter = ["status", "kind"]
    search_fields = ["theme"]
    list_select_related = ["campaign"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["name", "email", "event", "status", "registered_at", "checked_in_at"]
    list_filter = ["status"]
    search_fields = ["name", "email", "code"]
    list_select_related = ["event"]


@admin.register(Prospect)
class ProspectAdmin(ReadOnlyAdmin):
    list_display = ["name", "company", "email", "campaign", "source", "submissions", "created_at"]
    list_filter = ["source"]
    search_fields = ["name", "email", "company"]
    list_select_related = ["campaign"]


@admin.register(EmailCampaign)
class EmailCampaignAdmin(ReadOnlyAdmin):
    list_display = ["subject", "campaign", "group", "status", "started_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["campaign", "group"]
