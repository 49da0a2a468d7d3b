"""Writes to contracts: numbering, edits with the stale-edit check, files, expiry reminders."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.i18n import for_reader
from crm.models import BehaviourLog
from crm.notifications import notify
from crm.reminders import send_once
from crm.uploads import check_upload

from ..models import Contract, ContractFile, ContractNumberCounter
from .common import copy_fields, lock_current
from .opportunities import check_owner

CONTRACT_FIELDS = ["title", "customer", "opportunity", "order", "start_date", "end_date", "amount", "currency", "notes"]


def contract_next_number(*, on=None) -> str:
    """The next number from ``CONTRACT_NUMBER_PATTERN``; the sequence restarts every year."""
    on = on or timezone.localdate()
    period = str(on.year)
    table = ContractNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        # One statement both creates the year's counter and takes the next value under its row lock.
        cursor.execute(
            f"INSERT INTO {table} (period, last) VALUES (%s, 1) "  # noqa: S608 - our table name
            "ON CONFLICT (period) DO UPDATE SET last = " + table + ".last + 1 RETURNING last",
            [period],
        )
        seq = cursor.fetchone()[0]
    return settings.CONTRACT_NUMBER_PATTERN.format(year=on.year, month=f"{on.month:02d}", day=f"{on.day:02d}", seq=seq)


def _amount_from_source(data: dict) -> dict:
    if data.get("amount") not in (None, ""):
        return data
    source = data.get("order") or data.get("opportunity")
    if source is None:
        return {key: value for key, value in data.items() if key != "amount"}  # the model's default
    amount = source.total if hasattr(source, "total") else source.amount
    return {**data, "amount": amount, "currency": source.currency}


def _check_links(contract):
    if contract.opportunity_id and contract.opportunity.customer_id != contract.customer_id:
        raise ValidationError({"opportunity": _("This opportunity is with another customer.")})
    if contract.order_id and contract.order.customer_id != contract.customer_id:
        raise ValidationError({"order": _("This order is from another customer.")})


@transaction.atomic
def contract_create(*, actor, data: dict, owner=None) -> Contract:
    """A new contract; made from an order or an opportunity without an amount, it takes theirs."""
    owner = owner or actor
    check_owner(actor=actor, owner=owner)
    data = _amount_from_source(data)
    contract = Contract(owner=owner, team_id=owner.team_id, created_by=actor)
    copy_fields(contract, data, CONTRACT_FIELDS)
    contract.full_clean(exclude=["number"])
    _check_links(contract)
    contract.number = contract_next_number()
    if Contract.objects.filter(number=contract.number).exists():
        raise ValidationError(
            _("The contract number %(number)s is taken; ask an administrator to check the number pattern.")
            % {"number": contract.number}
        )
    contract.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=contract)
    return contract


@transaction.atomic
def contract_update(*, actor, contract: Contract, data: dict, version, status=None) -> Contract:
    current = lock_current(Contract, contract, version=version)
    changed = copy_fields(current, data, CONTRACT_FIELDS)
    if status is not None and status != current.status:
        current.status = status
        changed.append("status")
    current.full_clean()
    _check_links(current)
    current.version += 1
    current.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, detail={"fields": changed})
    return current


@transaction.atomic
def contract_renew(*, actor, contract: Contract) -> Contract:
    """A draft renewal: the same customer, amount and length, starting the day after this one ends."""
    length = contract.end_date - contract.start_date
    start = contract.end_date + timedelta(days=1)
    data = {name: getattr(contract, name) for name in ("customer", "opportunity", "amount", "currency")}
    data.update(
        title=(_("%(title)s (renewal)") % {"title": contract.title})[:200],
        start_date=start,
        end_date=start + length,
        notes=_("Renewal of %(number)s.") % {"number": contract.number},
    )
    return contract_create(actor=actor, data=data, owner=contract.owner)


def check_contract_upload(upload) -> str:
    """The upload's MIME type when its size, extension and content are acceptable for a contract."""
    return check_upload(
        upload, allowed=settings.CONTRACT_FILE_TYPES, max_bytes=settings.CONTRACT_FILE_MAX_BYTES, field="file"
    )


@transaction.atomic
def contract_file_add(*, actor, contract: Contract, upload) -> ContractFile:
    check_contract_upload(upload)
    attachment = ContractFile(contract=contract, name=Path(upload.name).name[:200], size=upload.size, uploaded_by=actor)
    attachment.file.save(Path(upload.name).name, upload, save=False)
    attachment.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=contract, detail={"file": attachment.name})
    return attachment


def contract_reminders_send(*, today=None) -> dict:
    """Expire contracts past their end; remind owners 30 and 7 days before the end — each once.

    A contract between two reminder days gets the nearer reminder only, so a contract entered five
    days before its end gets the 7-day reminder and not a late 30-day one as well.
    """
    today = today or timezone.localdate()
    expired = Contract.objects.filter(status=Contract.Status.ACTIVE, end_date__lt=today).update(
        status=Contract.Status.EXPIRED, updated_at=timezone.now()
    )
    thresholds = sorted(settings.CONTRACT_REMINDER_DAYS)
    horizon = today + timedelta(days=max(thresholds))
    sent = 0
    contracts = Contract.objects.filter(
        status=Contract.Status.ACTIVE, end_date__gte=today, end_date__lte=horizon
    ).select_related("owner", "customer")
    for contract in contracts:
        days_left = (contract.end_date - today).days
        threshold = next(t for t in thresholds if days_left <= t)
        key = f"contract:{contract.pk}:end:{contract.end_date.isoformat()}:{threshold}"

        def send(contract=contract, days_left=days_left):
            with for_reader(contract.owner):
                _remind(contract, days_left)

        if send_once(key, send):
            sent += 1
    return {"expired": expired, "sent": sent}


def _remind(contract, days_left):
    notify(
        user=contract.owner,
        title=_("Contract %(number)s ends in %(days)s days") % {"number": contract.number, "days": days_left},
        body=_("%(title)s with %(customer)s ends on %(end)s. Time to talk about renewal.")
        % {"title": contract.title, "customer": contract.customer, "end": contract.end_date.isoformat()},
        url=contract.get_absolute_url(),
        email=True,
    )
