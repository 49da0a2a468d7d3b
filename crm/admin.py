from django.contrib import admin

from .models import BehaviourLog, Consent, PrivacyNotice


def labelled_values_filter(field_name: str, title, label):
    """A list filter on a field whose stored values are keys (a data set, a module): each offered by
    ``label(value)``, its name in the reader's language, not by the key."""

    class LabelledValuesFilter(admin.SimpleListFilter):
        parameter_name = field_name

        def lookups(self, request, model_admin):
            values = model_admin.get_queryset(request).exclude(**{field_name: ""}).values_list(field_name, flat=True)
            return [(value, label(value)) for value in sorted(set(values))]

        def queryset(self, request, queryset):
            return queryset.filter(**{field_name: self.value()}) if self.value() else queryset

    LabelledValuesFilter.title = title
    return LabelledValuesFilter


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records an administrator looks up but never adds or edits here: their writes go through the apps'
    services, which keep the rules and the behaviour log. ``allow_delete`` lets an administrator still
    clear rows out, where that harms nothing."""

    allow_delete = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and super().has_delete_permission(request, obj)


@admin.register(BehaviourLog)
class BehaviourLogAdmin(ReadOnlyAdmin):
    allow_delete = True
    list_display = ["at", "username", "action", "module", "object_repr", "ip"]
    list_filter = ["action", "module", "at"]
    search_fields = ["username", "object_repr", "object_id", "ip"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in BehaviourLog._meta.fields]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at"]
    search_fields = ["version"]

    def get_readonly_fields(self, request, obj=None):
        # People agreed to the text of a version in force: publish a new version rather than rewrite it.
        if obj is not None and Consent.objects.filter(notice_version=obj.version).exists():
            return ["version", "text_en", "text_zh_hans", "published_at"]
        return []


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["given_at", "form", "notice_version", "record_type", "record_id", "ip"]
    list_filter = ["form", "notice_version", "given_at"]
    date_hierarchy = "given_at"
    readonly_fields = [f.name for f in Consent._meta.fields]
