"""Writes to campaigns. Each is one transaction with its behaviour-log entry."""

from django.db import transaction

from crm.audit import log_action
from crm.models import BehaviourLog

from ..models import Campaign

CAMPAIGN_FIELDS = [
    "name", "kind", "status", "start_date", "end_date", "budget", "actual_cost", "expected_revenue", "description",
]  # fmt: skip


@transaction.atomic
def campaign_create(*, actor, data: dict, target_groups=()) -> Campaign:
    campaign = Campaign(owner=actor, team_id=actor.team_id)
    for field in CAMPAIGN_FIELDS:
        if field in data:
            setattr(campaign, field, data[field])
    campaign.full_clean()
    campaign.save()
    campaign.target_groups.set(target_groups)
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=campaign)
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, data: dict, target_groups=None) -> Campaign:
    changed = [field for field in CAMPAIGN_FIELDS if field in data and getattr(campaign, field) != data[field]]
    for field in changed:
        setattr(campaign, field, data[field])
    campaign.full_clean()
    campaign.save()
    if target_groups is not None:
        campaign.target_groups.set(target_groups)
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=campaign, detail={"fields": changed})
    return campaign
