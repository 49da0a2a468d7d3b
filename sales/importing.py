"""Leads through the shared import engine (crm.importexport): the lead data set's columns and writes."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from crm.audit import log_action
from crm.importexport import ImportField, ImportSpec, cleaners
from crm.models import BehaviourLog
from crm.normalise import normalise_email, normalise_phone
from crm.scope import Module
from customers.models import Customer
from customers.validators import validate_phone

from .models import Lead

DATASET = "leads"
LEAD_COLUMNS = ("name", "company", "title", "phone", "email", "source", "notes")


def _length(name):
    return cleaners.text(Lead._meta.get_field(name).max_length)


def _phone(value: str) -> str:
    """Checked by the validator the lead form uses (through the model field)."""
    validate_phone(value)
    return _length("phone")(value)


def lead_fields():
    return [
        ImportField("name", gettext_lazy("Contact name"), ("name", "contact", "姓名", "联系人", "名字"), required=True,
                    clean=_length("name")),
        ImportField("company", gettext_lazy("Company"), ("company name", "customer", "customer name", "account", "公司",
                    "公司名称", "客户名称", "客户", "客户名", "企业名称", "单位", "单位名称", "企业"),
                    clean=_length("company")),
        ImportField("title", gettext_lazy("Job title"), ("title", "position", "职位", "职务"), clean=_length("title")),
        ImportField("phone", gettext_lazy("Phone"), ("mobile", "tel", "电话", "手机", "联系电话"), clean=_phone),
        ImportField("email", gettext_lazy("E-mail"), ("email", "mail", "邮箱", "电子邮件"), clean=cleaners.email),
        ImportField("source", gettext_lazy("Source"), ("lead source", "来源", "线索来源"),
                    choices=Customer.Source.choices),
        ImportField("notes", gettext_lazy("Notes"), ("remarks", "备注", "说明")),
    ]  # fmt: skip


def _keys(row):
    keys = []
    if row.get("email"):
        keys.append(("email", normalise_email(row["email"])))
    if row.get("phone"):
        keys.append(("phone", normalise_phone(row["phone"])))
    return keys


class LeadImport:
    """The ImportSpec callbacks for one actor: new leads are theirs; duplicates are leads they can see."""

    def __init__(self, *, actor, file_name=""):
        self.actor = actor
        self.file_name = file_name

    def spec(self) -> ImportSpec:
        return ImportSpec(
            dataset=DATASET,
            fields=lead_fields(),
            create=self.create,
            update=self.update,
            find_existing=self.find_existing,
            row_keys=_keys,
            finish=self.finish,
        )

    def find_existing(self, rows):
        emails = {r["email"].lower() for r in rows if r.get("email")}
        phones = {r["phone"] for r in rows if r.get("phone")}
        candidates = Lead.objects.visible_to(self.actor).filter(Q(email__in=emails) | Q(phone__in=phones))
        by_email, by_phone = {}, {}
        for lead in candidates.only("pk", "email", "phone", "name", "company", "title", "source", "notes"):
            if lead.email:
                by_email.setdefault(lead.email.lower(), lead)
            if lead.phone:
                by_phone.setdefault(lead.phone, lead)
        return [by_email.get((r.get("email") or "").lower()) or by_phone.get(r.get("phone") or "") for r in rows]

    def create(self, rows):
        now = timezone.now()
        leads = [
            Lead(
                owner=self.actor, team_id=self.actor.team_id, created_by=self.actor, touched_at=now,
                **{key: row.get(key) or "" for key in LEAD_COLUMNS},
            )
            for row in rows
        ]  # fmt: skip
        for lead in leads:
            lead.refresh_search()  # bulk_create does not call save()
        Lead.objects.bulk_create(leads)

    def update(self, pairs):
        changed = []
        for lead, row in pairs:
            for key in LEAD_COLUMNS:
                if row.get(key):
                    setattr(lead, key, row[key])
            lead.refresh_search()
            changed.append(lead)
        Lead.objects.bulk_update(changed, [*LEAD_COLUMNS, "search_document", "search_grams"])

    def finish(self, counts):
        log_action(
            actor=self.actor,
            action=BehaviourLog.Action.CREATE,
            module=Module.SALES,
            detail={"import": DATASET, "file": self.file_name, **counts},
        )


def lead_import_spec(*, actor, file_name="") -> ImportSpec:
    return LeadImport(actor=actor, file_name=file_name).spec()
