from django.contrib import admin

from .models import BehaviourLog


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
