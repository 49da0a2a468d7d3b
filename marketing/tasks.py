"""Celery tasks of the marketing app: thin wrappers that load by id and call a service."""

from celery import shared_task

from .services import emails, events, registrations


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def send_event_invitations(self, event_id, actor_id):
    """Invite an event's chosen recipients; a retry sends nobody a second invitation."""
    counts = events.event_invitations_send(event_id=event_id, actor_id=actor_id)
    if counts["failed"]:
        raise self.retry()
    return counts


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def send_registration_email(self, registration_id, status):
    try:
        return registrations.registration_email_send(registration_id=registration_id, status=status)
    except Exception as error:
        raise self.retry(exc=error) from error


@shared_task
def send_event_survey(event_id):
    return registrations.event_survey_send(event_id=event_id)


@shared_task
def send_event_cancellation(event_id):
    return registrations.event_cancellation_send(event_id=event_id)


@shared_task
def send_email_campaign_batch(email_campaign_id):
    """One throttled batch; queues the next one a minute later while recipients are waiting."""
    result = emails.email_campaign_send_batch(email_campaign_id=email_campaign_id)
    if result["more"]:
        send_email_campaign_batch.apply_async((email_campaign_id,), countdown=emails.BATCH_INTERVAL.total_seconds())
    return result


@shared_task
def send_event_reminders():
    """Every quarter hour: reminders to confirmed registrants of events starting soon (each sent once)."""
    return registrations.event_reminders_send()
