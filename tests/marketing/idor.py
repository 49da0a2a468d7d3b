"""Makers for the IDOR sweep: campaigns, their events and e-mail campaigns, and marketing assets.

Sales reps may view campaigns and events (their own); sales managers read every marketing record of
their team and check guests in at the door, so the makers that need more than a rep's permissions make
both users sales managers of different teams. Editing marketing records is for the Marketing role and
administrators only, and both see all marketing records by design: for those views no seeded role can
be refused by scope, and both users are refused by permission (403).
"""

from django.core.files.base import ContentFile

from accounts import roles
from customers.models import CustomerGroup
from marketing.models import Asset
from tests.marketing.factories import CampaignFactory, EmailCampaignFactory, EventFactory

READERS = (roles.SALES_MANAGER,)


def campaign(owner):
    return {"pk": CampaignFactory(owner=owner).pk}


def event(owner):
    return {"pk": EventFactory(campaign=CampaignFactory(owner=owner)).pk}


def event_file(owner):
    row = EventFactory(campaign=CampaignFactory(owner=owner))
    row.poster.save("poster.txt", ContentFile(b"spring fair"), save=True)
    return {"pk": row.pk, "part": "poster"}


def event_team(owner):
    return event(owner)


event_team.roles = READERS


def email(owner):
    group = CustomerGroup.objects.create(name=f"Newsletter {owner.pk}")
    return {"pk": EmailCampaignFactory(campaign=CampaignFactory(owner=owner), group=group).pk}


email.roles = READERS


def email_create(owner):
    return {"campaign_pk": CampaignFactory(owner=owner).pk}


email_create.roles = READERS


def asset(owner):
    row = Asset(name="Brochure", kind=Asset.Kind.DOCUMENT, owner=owner, team=owner.team, content_type="text/plain")
    row.file.save("brochure.txt", ContentFile(b"spring offers"), save=True)
    return {"pk": row.pk}


asset.roles = READERS

REGISTRY = {
    "marketing:campaign-": campaign,
    "marketing:event-": event,
    "marketing:event-file": event_file,
    "marketing:event-check-in": event_team,
    "marketing:event-export": event_team,
    "marketing:event-statistics": event_team,
    "marketing:email-": email,
    "marketing:email-create": email_create,
    "marketing:asset-": asset,
}
