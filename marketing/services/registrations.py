"""Registration for events: seats under a row lock, the waitlist, QR confirmation, check-in, survey.

Every registration of an event locks the event row first (SELECT … FOR UPDATE), so two people
taking the last seat at the same moment are counted one after the other and the capacity holds.
"""

import io
import secrets
from datetime import timedelta
from email.mime.image import MIMEImage

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from crm.audit import log_action
from crm.consent import ConsentGiven, consent_record
from crm.enqueue import enqueue
from crm.i18n import for_reader, page_language
from crm.importexport import ExportField
from crm.importexport.exports import export_now
from crm.models import BehaviourLog
from crm.reminders import send_once
from crm.scope import Module

from .. import links
from ..models import Event, Invitation, Prospect, Registration, SurveyResponse
from .prospects import matching_customer, prospect_capture

OPEN = (Event.Status.PUBLISHED, Event.Status.ONGOING)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: the code may be typed at the door


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _check_open(event: Event, now) -> None:
    if event.status not in OPEN:
        raise ValidationError(_("Registration for this event is not open."))
    if event.registration_deadline and now > event.registration_deadline:
        deadline = date_format(timezone.localtime(event.registration_deadline), "DATETIME_FORMAT")
        raise ValidationError(_("Registration for this event has closed (%(deadline)s).") % {"deadline": deadline})
    if now > event.ends_at:
        raise ValidationError(_("This event is over."))


@transaction.atomic
def registration_create(
    *,
    event: Event,
    data: dict,
    invitation: Invitation | None = None,
    now=None,
    consent: ConsentGiven | None = None,
    actor=None,
) -> Registration:
    """Register someone: a seat while there are any, otherwise the waitlist.

    A registrant who is not a customer yet is captured as a prospect of the event's campaign. ``actor`` is the
    staff member who registered them (through the API); the public page registers with none.
    """
    now = now or timezone.now()
    event = Event.objects.select_for_update().select_related("campaign").get(pk=event.pk)
    _check_open(event, now)
    email = data["email"].strip().lower()
    if event.registrations.exclude(status=Registration.Status.CANCELLED).filter(email__iexact=email).exists():
        raise ValidationError({"email": _("This e-mail address is already registered for the event.")})
    taken = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    customer = invitation.customer if invitation else matching_customer(email=email, phone=data.get("phone", ""))
    registration = Registration(
        event=event,
        invitation=invitation,
        customer=customer,
        name=data["name"].strip(),
        company=data.get("company", "").strip(),
        email=email,
        phone=data.get("phone", "").strip(),
        status=Registration.Status.CONFIRMED if taken < event.capacity else Registration.Status.WAITLISTED,
        code=_new_code(),
        # Staff registering someone through the API do not speak for them: the company's language then.
        language=page_language() if actor is None else "",
    )
    registration.full_clean(exclude=["code"])
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:
        raise ValidationError({"email": _("This e-mail address is already registered for the event.")}) from error
    log_action(
        actor=actor,
        action=BehaviourLog.Action.CREATE,
        obj=registration,
        detail={"event": event.pk, "status": registration.status},
    )
    consent_record(consent=consent, record=registration)
    if customer is None:
        prospect_capture(
            campaign=event.campaign,
            event=event,
            source=Prospect.Source.EVENT,
            reference=f"registration:{registration.pk}",
            name=registration.name,
            company=registration.company,
            email=registration.email,
            phone=registration.phone,
        )
    _queue_confirmation(registration)
    return registration


def _queue_confirmation(registration: Registration) -> None:
    enqueue("marketing.tasks.send_registration_email", registration.pk, registration.status)


@transaction.atomic
def registration_cancel(*, registration: Registration, actor=None) -> Registration | None:
    """Cancel; a freed seat goes to the first on the waitlist, who is returned (or None)."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        return None
    if registration.checked_in_at:
        raise ValidationError(_("This registration has already checked in."))
    had_seat = registration.status == Registration.Status.CONFIRMED
    registration.status, registration.cancelled_at = Registration.Status.CANCELLED, timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=registration, detail={"status": "cancelled"})
    if not had_seat or event.status not in OPEN:
        return None
    promoted = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("registered_at", "pk").first()
    if promoted is None:
        return None
    promoted.status = Registration.Status.CONFIRMED
    promoted.save(update_fields=["status", "updated_at"])
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=promoted, detail={"status": "confirmed", "from": "waitlist"}
    )
    _queue_confirmation(promoted)
    return promoted


@transaction.atomic
def registration_check_in(*, actor, event: Event, code: str) -> tuple[Registration, bool]:
    """Check the holder of ``code`` in; (registration, first time). Codes of other events are unknown here."""
    code = "".join(code.split()).upper()
    registration = Registration.objects.select_for_update().filter(event=event, code=code).first() if code else None
    if registration is None:
        raise ValidationError({"code": _("No registration for this event has that code.")})
    if registration.status != Registration.Status.CONFIRMED:
        status = registration.get_status_display()
        raise ValidationError(
            {"code": _("%(name)s is %(status)s, not confirmed.") % {"name": registration.name, "status": status}}
        )
    if registration.checked_in_at:
        return registration, False
    registration.checked_in_at, registration.checked_in_by = timezone.now(), actor
    registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=registration, detail={"checked_in": True})
    return registration, True


# ---------------------------------------------------------------------------- e-mails


def qr_code(code: str):
    # make_qr, not make: a short code would otherwise become a Micro QR that phone scanners cannot read.
    return segno.make_qr(code, error="m")


def qr_png(code: str) -> bytes:
    buffer = io.BytesIO()
    qr_code(code).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def registration_email_send(*, registration_id: int, status: str) -> bool:
    """The confirmation (with the QR code) or waitlist e-mail, once per registration and status."""
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    if registration.status != status:
        return False  # cancelled or promoted since: the e-mail for the new status is queued on its own

    def send():
        context = {
            "registration": registration,
            "event": registration.event,
            "cancel_url": links.cancel_url(registration),
        }
        with for_reader(registration):
            if status == Registration.Status.CONFIRMED:
                subject = _("You are registered: %(theme)s") % {"theme": registration.event.theme}
            else:
                subject = _("You are on the waitlist: %(theme)s") % {"theme": registration.event.theme}
            text = render_to_string("marketing/email/registration.txt", context)
            html = render_to_string("marketing/email/registration.html", context)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [registration.email])
        message.attach_alternative(html, "text/html")
        if status == Registration.Status.CONFIRMED:
            message.mixed_subtype = "related"
            image = MIMEImage(qr_png(registration.code), "png")
            image.add_header("Content-ID", "<checkin-qr>")
            image.add_header("Content-Disposition", "inline", filename="check-in.png")
            message.attach(image)
        message.send()

    return send_once(f"marketing:registration:{registration.pk}:{status}", send)


# ---------------------------------------------------------------------------- survey


def _mail_registrants(*, key: str, recipients, subject, template: str, **context) -> int:
    """One plain-text e-mail to each registration, each at most once under ``key``; how many went now.

    ``subject`` takes the event's theme; the template gets the registration, the event and ``context``
    (values may be callables of the registration, for per-person links).
    """
    sent = 0
    for registration in recipients.select_related("event").iterator(chunk_size=500):

        def send(registration=registration):
            extra = {name: value(registration) if callable(value) else value for name, value in context.items()}
            with for_reader(registration):
                text = render_to_string(template, {"registration": registration, "event": registration.event, **extra})
                title = subject() % {"theme": registration.event.theme}
            EmailMultiAlternatives(title, text, settings.DEFAULT_FROM_EMAIL, [registration.email]).send()

        sent += send_once(f"marketing:{key}:{registration.pk}", send)
    return sent


def event_survey_send(*, event_id: int) -> int:
    """Send the satisfaction survey link to everyone who attended; once each, however often it runs."""
    event = Event.objects.get(pk=event_id)
    sent = _mail_registrants(
        key="survey",
        recipients=event.registrations.filter(checked_in_at__isnull=False),
        subject=lambda: _("How was %(theme)s?"),
        template="marketing/email/survey.txt",
        url=links.survey_url,
    )
    Event.objects.filter(pk=event.pk, survey_sent_at__isnull=True).update(survey_sent_at=timezone.now())
    return sent


@transaction.atomic
def survey_answer(*, registration: Registration, score: int, comment: str = "") -> SurveyResponse:
    """One answer per attendee; a second one is refused."""
    if registration.checked_in_at is None:
        raise ValidationError(_("Only attendees can answer the survey."))
    if SurveyResponse.objects.filter(registration=registration).exists():
        raise ValidationError(_("You have already answered this survey. Thank you!"))
    response = SurveyResponse(registration=registration, score=score, comment=comment.strip())
    response.full_clean()
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as error:
        raise ValidationError(_("You have already answered this survey. Thank you!")) from error
    log_action(actor=None, action=BehaviourLog.Action.CREATE, obj=response, detail={"score": score})
    return response


# ---------------------------------------------------------------------------- export

REGISTRATION_EXPORT_FIELDS = [
    ExportField("name", _l("Name"), "name"),
    ExportField("company", _l("Company"), "company"),
    ExportField("email", _l("E-mail"), "email"),
    ExportField("phone", _l("Phone"), "phone"),
    ExportField("status", _l("Status"), "status", display=lambda v: str(Registration.Status(v).label)),
    ExportField("code", _l("Check-in code"), "code"),
    ExportField("registered_at", _l("Registered at"), "registered_at"),
    ExportField("checked_in_at", _l("Checked in at"), "checked_in_at"),
    ExportField("customer", _l("Customer"), "customer__name"),
]


def registrations_export(*, actor, event: Event, fmt: str) -> tuple[str, str, bytes]:
    """The event's registrations as XLSX or CSV (file name, content type, content), logged as an export.

    An event's registrations are bounded by its capacity and waitlist, so the file is made at once.
    """
    return export_now(
        actor=actor, dataset="event-registrations", module=Module.MARKETING,
        queryset=event.registrations.order_by("registered_at", "pk"), fields=REGISTRATION_EXPORT_FIELDS, fmt=fmt,
        filters={"event": event.pk}, filename=f"event-{event.pk}-registrations",
    )  # fmt: skip


# ---------------------------------------------------------------------------- reminders


def event_reminders_send(*, now=None) -> int:
    """Remind confirmed registrants of events starting within MARKETING_EVENT_REMINDER_HOURS; once each."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.MARKETING_EVENT_REMINDER_HOURS)
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        event__status__in=OPEN,
        event__starts_at__gt=now,
        event__starts_at__lte=soon,
    )
    return _mail_registrants(
        key="reminder",
        recipients=due,
        subject=lambda: _("Reminder: %(theme)s"),
        template="marketing/email/reminder.txt",
        cancel_url=links.cancel_url,
    )


def event_cancellation_send(*, event_id: int) -> int:
    """Tell everyone registered (seat or waitlist) that the event is cancelled; once each."""
    event = Event.objects.get(pk=event_id)
    return _mail_registrants(
        key="event-cancelled",
        recipients=event.registrations.exclude(status=Registration.Status.CANCELLED),
        subject=lambda: _("Cancelled: %(theme)s"),
        template="marketing/email/event_cancelled.txt",
    )
