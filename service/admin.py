"""Service set-up for administrators: queues, SLA policies, working calendars, article categories.

Tickets, surveys and articles are worked in the app itself (their writes go through the services);
the admin lists them read-only.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.admin import ReadOnlyAdmin, labelled_values_filter
from crm.scope import Module

from .models import Article, ArticleCategory, CalendarDay, Queue, SatisfactionSurvey, SlaPolicy, Ticket, WorkCalendar


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "start", "end"]
    inlines = [CalendarDayInline]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "manager", "calendar", "auto_assign", "accepts_web"]
    filter_horizontal = ["members"]
    list_select_related = ["team", "manager", "calendar"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "first_response_minutes", "resolution_minutes", "business_hours", "warning_percent"]


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "customer", "type", "priority", "status", "queue", "assignee", "created_at"]
    list_filter = ["status", "type", "priority", "channel", "queue"]
    list_select_related = ["customer", "queue", "assignee"]
    search_fields = ["subject"]
    show_full_result_count = False


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "customer", "score", "nps", "answered_at"]
    list_select_related = ["ticket", "customer"]


def _module_label(code):
    """The module's name in the reader's language, not its code."""
    return Module(code).label if code in Module.values else code


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["title", "category", "status", "language", "module", "updated_at"]
    list_filter = [
        "status", "language", labelled_values_filter("help_module", _("help for module"), _module_label), "category"
    ]  # fmt: skip

    @admin.display(description=_("help for module"), ordering="help_module")
    def module(self, article):
        return _module_label(article.help_module)
