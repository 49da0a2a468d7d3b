"""Cross-cutting records every app writes: the user behaviour log."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
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
        TWO_FACTOR_ENABLED = "2fa_enabled", pgettext_lazy("behaviour", "Two-factor sign-in set up")
        TWO_FACTOR_VERIFIED = "2fa_verified", pgettext_lazy("behaviour", "Second factor accepted")
        TWO_FACTOR_FAILED = "2fa_failed", pgettext_lazy("behaviour", "Wrong second-factor code")
        RECOVERY_CODE_USED = "recovery_code_used", pgettext_lazy("behaviour", "Recovery code used")
        RECOVERY_CODES_REGENERATED = "recovery_codes_new", pgettext_lazy("behaviour", "Recovery codes replaced")
        TWO_FACTOR_DISABLED = "2fa_disabled", pgettext_lazy("behaviour", "Two-factor sign-in turned off")
        NEW_SIGN_IN_ADDRESS = "new_address", pgettext_lazy("behaviour", "Sign-in from a new address")

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


class Notification(models.Model):
    """An in-app message for one user (the bell): reminders, finished jobs, alerts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_created"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_user_unread"),
        ]

    def __str__(self):
        return self.title


class SentReminder(models.Model):
    """A reminder that has gone out, keyed by what it was about, so no retry can send it twice.

    The key names the subject and the occasion, for example ``task:42:due`` or ``contract:7:30d``.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self):
        return self.key


class Job(models.Model):
    """A long piece of work run by Celery for a user (an import, an export), with its progress.

    Its state is in its fields, never in ``options`` (which holds only what the work is asked to do:
    mapping, duplicate policy, export format and columns):

    - ``status``: an upload waits (``pending``) until the user confirms it; a confirmed import, a dry run
      and an export are ``queued`` for the worker, which makes them ``running`` and then ``done`` or ``failed``;
    - ``dry_run``: the job checks every row of its ``parent`` upload and saves nothing;
    - ``file_name`` and ``language``: the name the file had on the user's computer, and the language the job
      was asked in (its messages, headings and labels are written in it).

    The page polls the job; the worker updates ``processed`` as it goes and ``result`` at the end.
    """

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    dataset = models.CharField(_("data set"), max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    dry_run = models.BooleanField(_("dry run"), default=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("upload checked"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dry_runs",
        help_text=_("For a dry run: the upload whose rows it checks."),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("total"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    source_file = models.FileField(_("file"), upload_to="jobs/in/%Y/%m/", blank=True)
    output_file = models.FileField(_("result file"), upload_to="jobs/out/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="job_user_created")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.dataset} #{self.pk}"

    @property
    def is_active(self) -> bool:
        """Queued or running: the page keeps polling it."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0


class PrivacyNotice(models.Model):
    """A version of the privacy notice shown on the public forms; the newest published one is in force.

    Consents name the version the person agreed to, so a notice is never edited once people have
    agreed to it: publish a new version instead.
    """

    version = models.CharField(_("version"), max_length=32, unique=True)
    text_en = models.TextField(_("text (English)"))
    text_zh_hans = models.TextField(_("text (Simplified Chinese)"))
    published_at = models.DateTimeField(_("in force from"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.version


class Consent(models.Model):
    """Consent a person gave on a public form: which form, which notice version, when, from where,
    and the record the submission created (a registration, a lead, a ticket or a customer)."""

    class Form(models.TextChoices):
        EVENT_REGISTRATION = "event_registration", _("Event registration")
        WEB_LEAD = "web_lead", _("Web-to-lead form")
        PUBLIC_TICKET = "public_ticket", _("Public ticket form")

    form = models.CharField(_("form"), max_length=32, choices=Form.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=32)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The app of the record sits to the right of crm, so the link is generic; apps find their
    # records' consents with consents_of() (crm.consent).
    record_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.CASCADE, related_name="+"
    )
    record_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("record_type", "record_id")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="consent_record")]

    def __str__(self):
        return f"{self.get_form_display()} {self.notice_version} {self.given_at:%Y-%m-%d %H:%M}"
