"""Writes of the reports app: saved reports, sharing, schedules, exports and scheduled sends."""

import logging
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.i18n import reader_language
from crm.models import BehaviourLog
from crm.scope import Module

from . import builder, exports
from .models import ReportRun, ReportSchedule, SavedReport
from .registry import dataset_get

logger = logging.getLogger(__name__)


def _checked_definition(*, actor, dataset_key: str, definition: dict) -> dict:
    dataset = dataset_get(dataset_key)
    if dataset is None or not dataset.available_to(actor):
        raise ValidationError({"dataset": _("Choose a data set you may report on.")})
    return builder.validate(dataset, definition)


@transaction.atomic
def saved_report_create(
    *, actor, name: str, dataset: str, definition: dict, description: str = "", users=(), roles=()
) -> SavedReport:
    clean = _checked_definition(actor=actor, dataset_key=dataset, definition=definition)
    report = SavedReport.objects.create(
        name=name, description=description, dataset=dataset, definition=clean, chart=clean["chart"], owner=actor
    )
    report.shared_with_users.set(users)
    report.shared_with_roles.set(roles)
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=report, module=Module.REPORTS)
    return report


@transaction.atomic
def saved_report_update(
    *, actor, report: SavedReport, name: str, definition: dict, description: str = "", users=(), roles=()
) -> SavedReport:
    """Only the owner changes a report; people it is shared with may run and export it."""
    if report.owner_id != actor.pk:
        raise PermissionDenied
    clean = _checked_definition(actor=actor, dataset_key=report.dataset, definition=definition)
    report.name, report.description, report.definition, report.chart = name, description, clean, clean["chart"]
    report.save()
    report.shared_with_users.set(users)
    report.shared_with_roles.set(roles)
    log_action(
        actor=actor,
        action=BehaviourLog.Action.UPDATE,
        obj=report,
        module=Module.REPORTS,
        detail={"shared_users": [u.pk for u in users], "shared_roles": [r.pk for r in roles]},
    )
    return report


@transaction.atomic
def saved_report_delete(*, actor, report: SavedReport) -> None:
    if report.owner_id != actor.pk:
        raise PermissionDenied
    log_action(actor=actor, action=BehaviourLog.Action.DELETE, obj=report, module=Module.REPORTS)
    report.delete()


@transaction.atomic
def report_export(
    *, actor, name: str, tables, fmt: str, detail: dict | None = None, subtitle: str = "", charts=()
) -> bytes:
    """The report as an XLSX or PDF file (the PDF draws ``charts`` above the tables), with its entry in
    the behaviour log."""
    if fmt not in exports.FORMATS:
        raise ValidationError({"format": _("Choose XLSX or PDF.")})
    content = exports.render(fmt, name, tables, subtitle=subtitle, charts=charts)
    log_action(
        actor=actor,
        action=BehaviourLog.Action.EXPORT,
        module=Module.REPORTS,
        detail={"report": str(name), "format": fmt, "rows": sum(len(t.rows) for t in tables), **(detail or {})},
    )
    return content


@transaction.atomic
def schedule_create(
    *, actor, report: SavedReport, frequency: str, send_hour: int, fmt: str, recipients: str
) -> ReportSchedule:
    schedule = ReportSchedule(
        report=report, owner=actor, frequency=frequency, send_hour=send_hour, format=fmt, recipients=recipients
    )
    schedule.full_clean()
    if not schedule.recipient_list():
        raise ValidationError({"recipients": _("Give at least one e-mail address.")})
    schedule.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=schedule, module=Module.REPORTS)
    return schedule


@transaction.atomic
def schedule_delete(*, actor, schedule: ReportSchedule) -> None:
    if schedule.owner_id != actor.pk:
        raise PermissionDenied
    log_action(actor=actor, action=BehaviourLog.Action.DELETE, obj=schedule, module=Module.REPORTS)
    schedule.delete()


def _owner_timezone(user):
    try:
        return zoneinfo.ZoneInfo(user.timezone) if user.timezone else zoneinfo.ZoneInfo(settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def schedule_period(schedule: ReportSchedule, now) -> str | None:
    """The period a send at ``now`` belongs to, or None while it is not yet time (before the hour, or
    before Monday / the 1st). Periods are counted in the owner's time zone."""
    local = now.astimezone(_owner_timezone(schedule.owner))
    if local.hour < schedule.send_hour:
        return None
    if schedule.frequency == ReportSchedule.Frequency.DAILY:
        return local.date().isoformat()
    if schedule.frequency == ReportSchedule.Frequency.WEEKLY:
        year, week, _weekday = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local:%Y-%m}"


def _recipients_by_language(addresses: list[str]) -> dict[str, list[str]]:
    """The addresses grouped by their reader's language: a user's preference, the company's for anyone else."""
    wanted = {address.lower() for address in addresses}
    users = get_user_model().objects.annotate(address=Lower("email")).filter(address__in=wanted, is_active=True)
    language_of = {user.address: reader_language(user) for user in users}
    groups: dict[str, list[str]] = {}
    for address in addresses:
        groups.setdefault(language_of.get(address.lower(), reader_language(None)), []).append(address)
    return groups


def schedule_send(*, schedule: ReportSchedule, now=None) -> bool:
    """Send the schedule's report for the current period unless it went out already; True when sent now.

    The run row and the e-mail share one transaction: a second beat tick (or a second worker) meets the
    unique (schedule, period) row and sends nothing; a failed send rolls the row back so the next tick
    tries again. The report is computed with the owner's record scope, in each recipient's language.
    """
    now = now or timezone.now()
    period = schedule_period(schedule, now)
    if period is None:
        return False
    owner = schedule.owner
    dataset = dataset_get(schedule.report.dataset)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run = ReportRun.objects.create(
                        schedule=schedule, period=period, recipients=schedule.recipient_list()
                    )
            except IntegrityError:
                return False
            if dataset is None or not dataset.available_to(owner) or not owner.is_active:
                raise PermissionDenied(f"{owner} may no longer run {schedule.report.dataset}")
            # One e-mail per language among the recipients: each reads the report in their own.
            for language, addresses in _recipients_by_language(run.recipients).items():
                with translation.override(language), timezone.override(_owner_timezone(owner)):
                    table, chart = builder.run(
                        dataset, schedule.report.definition, user=owner, title=schedule.report.name
                    )
                    content = exports.render(
                        schedule.format, schedule.report.name, [table],
                        subtitle=str(dataset.label), charts=[chart] if chart else [],
                    )  # fmt: skip
                    message = EmailMessage(
                        subject=_("Report: %(name)s (%(period)s)") % {"name": schedule.report.name, "period": period},
                        body=_("The report “%(name)s” for %(period)s is attached.")
                        % {"name": schedule.report.name, "period": period},
                        to=addresses,
                    )
                message.attach(
                    exports.filename(schedule.report.name, schedule.format),
                    content,
                    exports.CONTENT_TYPES[schedule.format],
                )
                message.send()
            run.rows = len(table.rows)
            run.save(update_fields=["rows"])
            log_action(
                actor=owner,
                action=BehaviourLog.Action.EXPORT,
                obj=schedule.report,
                module=Module.REPORTS,
                detail={"scheduled": schedule.pk, "period": period, "format": schedule.format, "rows": run.rows},
            )
            if schedule.last_error:
                ReportSchedule.objects.filter(pk=schedule.pk).update(last_error="")
    except Exception as error:  # noqa: BLE001 - recorded on the schedule, tried again next tick
        logger.exception("Scheduled report %s failed", schedule.pk)
        ReportSchedule.objects.filter(pk=schedule.pk).update(last_error=str(error)[:1000])
        return False
    return True


def schedules_send_due(*, now=None) -> dict:
    """Every active schedule whose period has not been sent yet; safe to run as often as wanted."""
    now = now or timezone.now()
    sent = skipped = 0
    for schedule in ReportSchedule.objects.filter(is_active=True).select_related("owner", "report"):
        if schedule_send(schedule=schedule, now=now):
            sent += 1
        else:
            skipped += 1
    return {"sent": sent, "skipped": skipped}
