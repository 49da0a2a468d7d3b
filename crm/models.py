"""Cross-cutting records every app writes: the user behaviour log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TimeStampedModel(models.Model):
    """Base for business records: when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class BehaviourLog(models.Model):
    """One thing a user did (用户行为日志): sign-ins, changes, deletions, exports.

    Rows are written by the services in the same transaction as the change they describe, so a
    rolled-back change leaves no entry behind.
    """

    class Action(models.TextChoices):
        LOGIN = "login", pgettext_lazy("behaviour", "Signed in")
        LOGOUT = "logout", pgettext_lazy("behaviour", "Signed out")
        LOGIN_FAILED = "login_failed", pgettext_lazy("behaviour", "Failed sign-in")
        CREATE = "create", pgettext_lazy("behaviour", "Created")
        UPDATE = "update", pgettext_lazy("behaviour", "Updated")
        DELETE = "delete", pgettext_lazy("behaviour", "Deleted")
        BULK_UPDATE = "bulk_update", pgettext_lazy("behaviour", "Bulk update")
        EXPORT = "export", pgettext_lazy("behaviour", "Exported")
        PERMISSION_CHANGE = "permission_change", pgettext_lazy("behaviour", "Permissions changed")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    module = models.CharField(_("module"), max_length=32, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("behaviour log entry")
        verbose_name_plural = _("behaviour log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="behaviourlog_user_at"),
            models.Index(fields=["action", "-at"], name="behaviourlog_action_at"),
            models.Index(fields=["object_type", "object_id"], name="behaviourlog_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"
