"""Writes to leads: entry, status, assignment (manual or round-robin), capture from campaigns, conversion."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.i18n import for_reader
from crm.models import BehaviourLog
from crm.notifications import notify
from crm.scope import Module
from customers.dedupe import find_duplicates
from customers.models import Contact, Customer
from customers.services.customers import contact_create, customer_create
from marketing.services.prospects import matching_customer

from ..models import Lead, LeadAssignment, RoundRobinCursor
from .common import copy_fields
from .opportunities import check_owner, opportunity_create

LEAD_FIELDS = ["name", "company", "title", "phone", "email", "source", "campaign", "notes", "external_id"]


class DuplicateCustomer(ValidationError):
    """Converting would create a customer that looks like existing ones; the user must choose."""

    def __init__(self, duplicates):
        super().__init__(_("This lead looks like an existing customer. Choose it, or confirm a new customer."))
        self.duplicates = duplicates


def _log_assignment(*, actor, lead, previous, method):
    LeadAssignment.objects.create(
        lead=lead, from_owner=previous, to_owner=lead.owner, method=method, assigned_by=actor or None
    )
    if lead.owner != actor:
        with for_reader(lead.owner):
            notify(user=lead.owner, title=_("New lead for you: %(lead)s") % {"lead": lead}, url=lead.get_absolute_url())
    log_action(
        actor=actor,
        action=BehaviourLog.Action.UPDATE,
        obj=lead,
        detail={"assign": lead.owner_id, "from": previous.pk if previous else None, "method": method},
    )


@transaction.atomic
def lead_create(*, actor, data: dict, owner=None, team=None) -> Lead:
    """A lead owned by ``owner`` (the actor when not given) — or unassigned in ``team`` when owner is False."""
    if owner is False:
        owner = None
        team = team or actor.team
    else:
        owner = owner or actor
        check_owner(actor=actor, owner=owner)
        team = owner.team
    lead = Lead(owner=owner, team=team, created_by=actor, touched_at=timezone.now())
    copy_fields(lead, data, LEAD_FIELDS)
    lead.full_clean()
    lead.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=lead)
    if owner is not None:
        LeadAssignment.objects.create(lead=lead, to_owner=owner, method=LeadAssignment.Method.MANUAL, assigned_by=actor)
    return lead


@transaction.atomic
def lead_update(*, actor, lead: Lead, data: dict) -> Lead:
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    changed = copy_fields(lead, {k: v for k, v in data.items() if k in LEAD_FIELDS}, LEAD_FIELDS)
    if "status" in data and data["status"] != lead.status:
        _check_status(lead, data["status"], data.get("disqualified_reason", ""))
        lead.status = data["status"]
        lead.disqualified_reason = (
            data.get("disqualified_reason", "") if lead.status == Lead.Status.DISQUALIFIED else ""
        )
        changed.append("status")
    lead.touched_at = timezone.now()
    lead.full_clean()
    lead.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=lead, detail={"fields": changed})
    return lead


def _check_status(lead, status, reason):
    if lead.status == Lead.Status.CONVERTED:
        raise ValidationError({"status": _("A converted lead keeps its status.")})
    if status == Lead.Status.CONVERTED:
        raise ValidationError({"status": _("Use “Convert” to turn a lead into a customer.")})
    if status == Lead.Status.DISQUALIFIED and not reason.strip():
        raise ValidationError({"disqualified_reason": _("Say why the lead is disqualified.")})


@transaction.atomic
def lead_assign(*, actor, lead: Lead, owner) -> Lead:
    """Give the lead to ``owner`` (within the actor's scope); the change is logged."""
    check_owner(actor=actor, owner=owner)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.owner_id == owner.pk:
        return lead
    previous = lead.owner
    lead.owner, lead.team, lead.touched_at = owner, owner.team, timezone.now()
    lead.save(update_fields=["owner", "team", "touched_at", "updated_at"])
    _log_assignment(actor=actor, lead=lead, previous=previous, method=LeadAssignment.Method.MANUAL)
    return lead


def round_robin_members(team):
    """Active members of ``team`` who work leads, in a fixed order (the rotation)."""
    User = get_user_model()
    works_leads = Q(groups__permissions__codename="change_lead", groups__permissions__content_type__app_label="sales")
    return (
        User.objects.filter(team=team, is_active=True)
        .filter(works_leads | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def _next_in_rotation(team):
    cursor, _created = RoundRobinCursor.objects.get_or_create(team=team)
    # The row lock makes concurrent assignments take turns, so two leads never go to the same "next".
    cursor = RoundRobinCursor.objects.select_for_update().get(pk=cursor.pk)
    members = list(round_robin_members(team))
    if not members:
        raise ValidationError(_("The team %(team)s has nobody who works leads.") % {"team": team})
    following = [m for m in members if cursor.last_user_id is not None and m.pk > cursor.last_user_id]
    chosen = following[0] if following else members[0]
    cursor.last_user = chosen
    cursor.save(update_fields=["last_user"])
    return chosen


@transaction.atomic
def leads_assign_round_robin(*, actor, leads, team) -> int:
    """Deal the leads out in turn to the team's members, carrying on where the last deal stopped."""
    count = 0
    for lead in leads.select_for_update().order_by("pk"):
        owner = _next_in_rotation(team)
        if actor is not None:
            check_owner(actor=actor, owner=owner)
        previous = lead.owner
        lead.owner, lead.team, lead.touched_at = owner, team, timezone.now()
        lead.save(update_fields=["owner", "team", "touched_at", "updated_at"])
        _log_assignment(actor=actor, lead=lead, previous=previous, method=LeadAssignment.Method.ROUND_ROBIN)
        count += 1
    return count


@transaction.atomic
def lead_convert(
    *, actor, lead: Lead, opportunity: dict, customer: Customer | None = None, create_anyway: bool = False
) -> Lead:
    """Customer, primary contact and opportunity from the lead — all three or, on any error, none.

    ``customer``: an existing customer to attach to instead of creating one. Without it the customers
    domain's duplicate check runs first and :class:`DuplicateCustomer` stops the conversion unless
    ``create_anyway`` is set.
    """
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status in (Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED):
        raise ValidationError(_("Only an open lead can be converted."))
    if customer is None:
        name = lead.company or lead.name
        if not create_anyway:
            duplicates = find_duplicates(user=actor, name=name, phone=lead.phone, email=lead.email)
            if duplicates:
                raise DuplicateCustomer(duplicates)
        source = lead.source if lead.source in Customer.Source.values else Customer.Source.OTHER
        customer = customer_create(
            actor=actor,
            data={
                "name": name,
                "kind": Customer.Kind.COMPANY if lead.company else Customer.Kind.INDIVIDUAL,
                "source": source,
                "phone": lead.phone,
                "email": lead.email,
                "notes": lead.notes,
            },
        )
    has_primary = Contact.objects.filter(customer=customer, is_primary=True).exists()
    contact = contact_create(
        actor=actor,
        customer=customer,
        data={
            "name": lead.name,
            "title": lead.title,
            "mobile": lead.phone,
            "email": lead.email,
            "is_primary": not has_primary,
        },
    )
    deal = opportunity_create(
        actor=actor,
        data={
            "name": opportunity.get("name") or str(lead),
            "customer": customer,
            "contact": contact,
            "amount": opportunity.get("amount") or 0,
            "currency": opportunity.get("currency") or settings.BASE_CURRENCY,
            "expected_close_date": opportunity.get("expected_close_date"),
            "campaign": lead.campaign,
        },
        pipeline=opportunity.get("pipeline"),
    )
    lead.status, lead.customer, lead.opportunity = Lead.Status.CONVERTED, customer, deal
    lead.converted_at = lead.touched_at = timezone.now()
    lead.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=lead, detail={"converted": deal.pk})
    return lead


def _matching_lead(*, email, phone):
    condition = Q()
    if email:
        condition |= Q(email__iexact=email)
    if phone:
        condition |= Q(phone=phone)
    if not condition:
        return None
    return Lead.objects.filter(condition).exclude(status=Lead.Status.DISQUALIFIED).order_by("pk").first()


def _matching_customer(*, email, phone):
    # Marketing's matcher: e-mails and phones however written, and contacts' encrypted mobiles by
    # their keyed hash, across all customers (a capture acts for nobody's record scope).
    return matching_customer(email=email, phone=phone)


def lead_capture(*, campaign, name, company="", email="", phone="", source="", actor=None, reference=None) -> Lead:
    """A lead from a campaign (marketing's ``prospect_captured``); the same ``reference`` never makes two.

    A capture that matches an existing lead or customer (by e-mail or phone) still becomes a lead — the
    person showed interest again — but points at what it matches, so nobody chases them twice.
    """
    if reference:
        existing = Lead.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            lead = Lead(
                name=(name or company or email or phone or "?")[:100],
                company=(company or "")[:200],
                email=email or "",
                phone=(phone or "")[:32],
                source=(source or "")[:32],
                campaign=campaign,
                team=campaign.team if campaign is not None else None,
                reference=reference,
                touched_at=timezone.now(),
                created_by=actor,
                duplicate_of=_matching_lead(email=email, phone=phone),
                customer=_matching_customer(email=email, phone=phone),
            )
            lead.save()
            log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=lead, module=Module.SALES)
            if lead.team is not None and round_robin_members(lead.team).exists():
                leads_assign_round_robin(actor=None, leads=Lead.objects.filter(pk=lead.pk), team=lead.team)
                lead.refresh_from_db()
            return lead
    except IntegrityError:
        # A concurrent delivery of the same capture won the insert.
        return Lead.objects.get(reference=reference)
