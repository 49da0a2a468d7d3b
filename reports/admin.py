"""Administrators see saved reports, schedules and every scheduled run; changes go through the app's pages."""

from django.contrib import admin

from .models import ReportRun, ReportSchedule, SavedReport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SavedReport)
class SavedReportAdmin(ReadOnlyAdmin):
    list_display = ["name", "dataset", "chart", "owner", "updated_at"]
    list_filter = ["dataset", "chart"]
    search_fields = ["name", "owner__username"]


@admin.register(ReportSchedule)
class ReportScheduleAdmin(ReadOnlyAdmin):
    list_display = ["report", "owner", "frequency", "send_hour", "format", "is_active", "last_error"]
    list_filter = ["frequency", "format", "is_active"]


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ["schedule", "period", "ran_at", "rows"]
    list_filter = ["period"]
    date_hierarchy = "ran_at"
