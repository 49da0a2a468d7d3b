from django.contrib import admin

from .models import Backup


@admin.register(Backup)
class BackupAdmin(admin.ModelAdmin):
    list_display = ["name", "started_at", "trigger", "status", "check_status", "dump_size"]
    list_filter = ["status", "check_status", "trigger"]
    readonly_fields = [f.name for f in Backup._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
