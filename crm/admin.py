from django.contrib import admin

from .models import BehaviourLog


@admin.register(BehaviourLog)
class BehaviourLogAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "module", "object_repr", "ip"]
    list_filter = ["action", "module", "at"]
    search_fields = ["username", "object_repr", "object_id", "ip"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in BehaviourLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
