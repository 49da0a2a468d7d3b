"""Operations records: database backups (数据备份与恢复) and the restore check made after each one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Backup(models.Model):
    """One backup: a pg_dump archive plus a tarball of the uploaded files, each with its SHA-256.

    After the dump the archive is restored into a scratch database and the row count of every table
    is compared with the counts taken at dump time; ``check_status`` records the outcome.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class CheckStatus(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        PASSED = "passed", _("Restore verified")
        FAILED = "failed", _("Restore check failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Nightly schedule")
        MANUAL = "manual", _("Started by hand")

    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    name = models.CharField(_("name"), max_length=100, unique=True)
    dump_size = models.BigIntegerField(_("database archive size"), default=0)
    dump_sha256 = models.CharField(_("database archive SHA-256"), max_length=64, blank=True)
    media_size = models.BigIntegerField(_("uploaded files archive size"), default=0)
    media_sha256 = models.CharField(_("uploaded files archive SHA-256"), max_length=64, blank=True)
    row_counts = models.JSONField(_("rows per table"), default=dict, blank=True)
    check_status = models.CharField(
        _("restore check"), max_length=16, choices=CheckStatus.choices, default=CheckStatus.PENDING
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    check_detail = models.JSONField(_("restore check detail"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-started_at", "-id"]
        permissions = [("manage_backup", _("Can run, download and restore backups"))]

    def __str__(self):
        return self.name

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())
