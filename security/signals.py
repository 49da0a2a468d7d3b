"""Alerts react to what the behaviour log records; the receiver only hands over to the service."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from crm.models import BehaviourLog

from .services import alerts


@receiver(post_save, sender=BehaviourLog, dispatch_uid="security-alerts")
def on_behaviour_logged(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        alerts.on_behaviour_logged(instance)
