"""Administrators see saved reports, schedules and every scheduled run; changes go through the app's pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.admin import labelled_values_filter

from .models import ReportRun, ReportSchedule, SavedReport
from .registry import dataset_get


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _data_set_label(key):
    dataset = dataset_get(key)
    return dataset.label if dataset is not None else key


@admin.register(SavedReport)
class SavedReportAdmin(ReadOnlyAdmin):
    list_display = ["name", "data_set", "chart", "owner", "updated_at"]
    list_filter = [labelled_values_filter("dataset", _("data set"), _data_set_label), "chart"]
    search_fields = ["name", "owner__username"]

    @admin.display(description=_("data set"), ordering="dataset")
    def data_set(self, report):
        """The data set's name in the reader's language, not its key."""
        return _data_set_label(report.dataset)


@admin.register(ReportSchedule)
class ReportScheduleAdmin(ReadOnlyAdmin):
    list_display = ["report", "owner", "frequency", "send_hour", "format", "is_active", "last_error"]
    list_filter = ["frequency", "format", "is_active"]


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ["schedule", "period", "ran_at", "rows"]
    list_filter = ["period"]
    date_hierarchy = "ran_at"
