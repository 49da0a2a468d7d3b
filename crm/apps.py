from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM core")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .filters import choices_changed

        # Every sender: the choice sources live in other apps, and a process that never draws a list (a worker
        # importing records) must invalidate too.
        post_save.connect(choices_changed, dispatch_uid="crm.filters.choices_changed")
        post_delete.connect(choices_changed, dispatch_uid="crm.filters.choices_changed")
