"""Marketing assets: upload with a checked size and type, tags, and the campaigns and events using them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.models import BehaviourLog
from crm.uploads import check_upload

from ..models import Asset
from .uploads import ASSET_TYPES


def _tags(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    return sorted({tag.strip()[:40] for tag in value or [] if tag.strip()})


@transaction.atomic
def asset_create(*, actor, data: dict, upload, campaigns=(), events=()) -> Asset:
    if not upload:
        raise ValidationError({"file": _("Choose a file to upload.")})
    content_type = check_upload(
        upload, allowed=ASSET_TYPES, max_bytes=settings.MARKETING_UPLOAD_MAX_BYTES, field="file"
    )
    asset = Asset(
        name=data.get("name") or upload.name,
        kind=data.get("kind") or Asset.Kind.OTHER,
        description=data.get("description", ""),
        tags=_tags(data.get("tags")),
        owner=actor,
        team_id=actor.team_id,
        content_type=content_type,
        size=upload.size,
    )
    asset.file.save(upload.name, upload, save=False)
    asset.full_clean()
    asset.save()
    asset.campaigns.set(campaigns)
    asset.events.set(events)
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=asset)
    return asset


@transaction.atomic
def asset_update(*, actor, asset: Asset, data: dict, upload=None, campaigns=None, events=None) -> Asset:
    for field in ("name", "kind", "description"):
        if field in data:
            setattr(asset, field, data[field])
    if "tags" in data:
        asset.tags = _tags(data["tags"])
    if upload:
        asset.content_type = check_upload(
            upload, allowed=ASSET_TYPES, max_bytes=settings.MARKETING_UPLOAD_MAX_BYTES, field="file"
        )
        asset.size = upload.size
        asset.file.save(upload.name, upload, save=False)
    asset.full_clean()
    asset.save()
    if campaigns is not None:
        asset.campaigns.set(campaigns)
    if events is not None:
        asset.events.set(events)
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=asset)
    return asset
