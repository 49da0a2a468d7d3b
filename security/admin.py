from django.contrib import admin

from crm.admin import ReadOnlyAdmin

from .models import Backup


@admin.register(Backup)
class BackupAdmin(ReadOnlyAdmin):
    allow_delete = True
    list_display = ["name", "started_at", "trigger", "status", "check_status", "dump_size"]
    list_filter = ["status", "check_status", "trigger"]
    readonly_fields = [f.name for f in Backup._meta.fields]
