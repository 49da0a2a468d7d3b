"""Writes to opportunities: create, edit with the stale-edit check, move between stages, close."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import assignable_users
from crm.audit import log_action
from crm.models import BehaviourLog
from crm.scope import Module

from ..models import Opportunity, OpportunityLine, Pipeline, Stage, StageChange
from .common import copy_fields, lock_current

OPPORTUNITY_FIELDS = [
    "name", "customer", "contact", "amount", "currency", "expected_close_date", "next_step", "next_step_date",
    "description", "campaign",
]  # fmt: skip


def check_owner(*, actor, owner, module=Module.SALES):
    if not assignable_users(user=actor, module=module).filter(pk=owner.pk).exists():
        raise PermissionDenied("owner outside the actor's scope")


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_active=True).order_by("-is_default", "pk").first()
    if pipeline is None:
        raise ValidationError(_("No sales pipeline is set up yet. Ask an administrator to create one."))
    return pipeline


def first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(is_won=False, is_lost=False).order_by("order", "pk").first()
    if stage is None:
        raise ValidationError(_("The pipeline %(pipeline)s has no open stage.") % {"pipeline": pipeline})
    return stage


def _enter_stage(*, actor, opportunity: Opportunity, stage: Stage, now, previous=None):
    StageChange.objects.filter(opportunity=opportunity, left_at__isnull=True).update(left_at=now)
    StageChange.objects.create(
        opportunity=opportunity, from_stage=previous, to_stage=stage, entered_at=now, changed_by=actor
    )
    opportunity.stage, opportunity.stage_entered_at = stage, now
    if stage.is_won or stage.is_lost:
        opportunity.status = Opportunity.Status.WON if stage.is_won else Opportunity.Status.LOST
        opportunity.closed_at = now
    else:
        opportunity.status, opportunity.closed_at = Opportunity.Status.OPEN, None


@transaction.atomic
def opportunity_create(*, actor, data: dict, owner=None, pipeline=None, stage=None, lines=()) -> Opportunity:
    owner = owner or actor
    check_owner(actor=actor, owner=owner)
    pipeline = pipeline or (stage.pipeline if stage else default_pipeline())
    stage = stage or first_open_stage(pipeline)
    if stage.pipeline_id != pipeline.pk:
        raise ValidationError({"stage": _("This stage belongs to another pipeline.")})
    opportunity = Opportunity(owner=owner, team_id=owner.team_id, pipeline=pipeline, stage=stage, created_by=actor)
    copy_fields(opportunity, data, OPPORTUNITY_FIELDS)
    if opportunity.contact_id and opportunity.contact.customer_id != opportunity.customer_id:
        raise ValidationError({"contact": _("This contact works at another customer.")})
    opportunity.full_clean()
    opportunity.save()
    now = timezone.now()
    _enter_stage(actor=actor, opportunity=opportunity, stage=stage, now=now)
    opportunity.save(update_fields=["stage", "stage_entered_at", "status", "closed_at"])
    for line in lines:
        OpportunityLine.objects.create(opportunity=opportunity, **line)
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=opportunity)
    return opportunity


@transaction.atomic
def opportunity_update(*, actor, opportunity: Opportunity, data: dict, version, owner=None, stage=None) -> Opportunity:
    """Save the user's edit unless someone else saved since ``version`` (then StaleEdit, nothing saved)."""
    current = lock_current(Opportunity, opportunity, version=version)
    changed = copy_fields(current, data, OPPORTUNITY_FIELDS)
    if owner is not None and owner.pk != current.owner_id:
        check_owner(actor=actor, owner=owner)
        current.owner, current.team_id = owner, owner.team_id
        changed.append("owner")
    if current.contact_id and current.contact.customer_id != current.customer_id:
        raise ValidationError({"contact": _("This contact works at another customer.")})
    if stage is not None and stage.pk != current.stage_id:
        if stage.pipeline_id != current.pipeline_id:
            raise ValidationError({"stage": _("This stage belongs to another pipeline.")})
        if stage.is_lost:
            raise ValidationError({"stage": _("To mark the opportunity lost, close it as lost and say why.")})
        _enter_stage(actor=actor, opportunity=current, stage=stage, now=timezone.now(), previous=current.stage)
        changed.append("stage")
    current.full_clean()
    current.version += 1
    current.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, detail={"fields": changed})
    return current


@transaction.atomic
def opportunity_move(*, actor, opportunity: Opportunity, stage: Stage, version=None, reason="") -> Opportunity:
    """Put the opportunity into ``stage`` (the board's drag and drop); a won/lost stage closes it."""
    current = lock_current(Opportunity, opportunity, version=version)
    if stage.pipeline_id != current.pipeline_id:
        raise ValidationError({"stage": _("This stage belongs to another pipeline.")})
    if stage.pk == current.stage_id:
        return current
    if stage.is_lost and not reason.strip():
        raise ValidationError({"reason": _("Say why the opportunity was lost.")}, code="reason_required")
    previous = current.stage
    _enter_stage(actor=actor, opportunity=current, stage=stage, now=timezone.now(), previous=previous)
    if reason:
        current.close_reason = reason
    current.version += 1
    current.save()
    log_action(
        actor=actor,
        action=BehaviourLog.Action.UPDATE,
        obj=current,
        detail={"stage": [previous.name, stage.name], "status": current.status},
    )
    return current


@transaction.atomic
def opportunity_close(*, actor, opportunity: Opportunity, won: bool, reason: str, version=None) -> Opportunity:
    """Mark the opportunity won or lost with the reason; it moves to the pipeline's won or lost stage."""
    if not won and not reason.strip():
        raise ValidationError({"reason": _("Say why the opportunity was lost.")})
    stage = opportunity.pipeline.stages.filter(is_won=won, is_lost=not won).order_by("order").first()
    if stage is None:
        raise ValidationError(_("The pipeline has no won or lost stage. Ask an administrator to add one."))
    return opportunity_move(actor=actor, opportunity=opportunity, stage=stage, version=version, reason=reason.strip())


@transaction.atomic
def opportunity_line_add(*, actor, opportunity: Opportunity, product, quantity: int, unit_price) -> OpportunityLine:
    line = OpportunityLine(opportunity=opportunity, product=product, quantity=quantity, unit_price=unit_price)
    line.full_clean()
    line.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=opportunity, detail={"add_product": product.sku})
    return line


@transaction.atomic
def opportunity_line_remove(*, actor, line: OpportunityLine) -> None:
    log_action(
        actor=actor,
        action=BehaviourLog.Action.UPDATE,
        obj=line.opportunity,
        detail={"remove_product": line.product.sku},
    )
    line.delete()
