"""Satisfaction surveys (满意度调查): the customer's one answer per ticket, and the follow-up of low scores."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.audit import log_action
from crm.i18n import for_reader
from crm.models import BehaviourLog
from crm.notifications import notify
from crm.scope import Module

from ..models import SatisfactionSurvey, Ticket, TicketEvent


@transaction.atomic
def survey_answer(*, ticket: Ticket, score: int, comment: str = "", nps: int | None = None) -> SatisfactionSurvey:
    """Record the one answer a ticket may get; a low score flags the ticket for the queue manager."""
    current = (
        Ticket.objects.select_for_update(of=("self",)).select_related("queue__manager", "assignee").get(pk=ticket.pk)
    )
    if current.resolved_at is None and current.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise ValidationError(_("This ticket is not resolved yet."))
    if SatisfactionSurvey.objects.filter(ticket=current).exists():
        raise ValidationError(_("This survey has already been answered. Thank you!"))
    survey = SatisfactionSurvey(ticket=current, customer_id=current.customer_id, score=score, nps=nps, comment=comment)
    survey.full_clean(exclude=["ticket", "customer"])
    survey.save()
    TicketEvent.objects.create(ticket=current, kind=TicketEvent.Kind.SURVEY, detail={"score": score, "nps": nps})
    if score <= settings.SERVICE_LOW_SCORE:
        current.needs_follow_up = True
        current.save(update_fields=["needs_follow_up", "updated_at"])
        for user in {u.pk: u for u in [current.queue.manager, current.assignee] if u is not None}.values():
            with for_reader(user):
                title = gettext("Low satisfaction (%(score)s/5): %(number)s %(subject)s") % {
                    "score": score, "number": current.number, "subject": current.subject}  # fmt: skip
            notify(user=user, title=title, body=comment[:500], url=current.get_absolute_url(), email=True)
    log_action(actor=None, action=BehaviourLog.Action.CREATE, obj=survey, module=Module.SERVICE, username="customer")
    return survey


@transaction.atomic
def ticket_follow_up_done(*, actor, ticket: Ticket, note: str = "") -> Ticket:
    """The manager has followed up a low score: the flag goes, the note stays on the timeline."""
    current = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not current.needs_follow_up:
        raise ValidationError(_("This ticket is not waiting for a follow-up."))
    current.needs_follow_up = False
    current.save(update_fields=["needs_follow_up", "updated_at"])
    SatisfactionSurvey.objects.filter(ticket=current).update(followed_up_at=timezone.now(), followed_up_by=actor)
    TicketEvent.objects.create(ticket=current, kind=TicketEvent.Kind.FOLLOWED_UP, actor=actor, detail={"note": note})
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, module=Module.SERVICE,
        detail={"fields": ["needs_follow_up"], "note": note},
    )  # fmt: skip
    return current
