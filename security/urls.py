from django.urls import path

from .views import backups, behaviour_log

app_name = "security"

urlpatterns = [
    path("behaviour-log/", behaviour_log.behaviour_log, name="behaviour-log"),
    path("behaviour-log/export/<str:fmt>/", behaviour_log.behaviour_log_export, name="behaviour-log-export"),
    path("backups/", backups.backup_list, name="backup-list"),
    path("backups/run/", backups.backup_trigger, name="backup-trigger"),
    path("backups/<int:pk>/download/<str:part>/", backups.backup_download, name="backup-download"),
]
