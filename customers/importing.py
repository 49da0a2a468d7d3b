"""Customers as a data set of the import/export engine: columns, checks, duplicates and batch writes.

Duplicates are looked for among the customers the importing user may see: the same phone (as
:func:`customers.dedupe.normalise_phone` reads it), the same e-mail (case-folded) or the same name
(ignoring case, width, spaces and punctuation). One query per batch finds them; rows created by the
same import are recognised in memory. New customers are written with ``bulk_create`` per batch, with
their history rows, never one service call per row, and an import writes one behaviour-log entry.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import F, Func, Max, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from accounts.selectors import assignable_users
from crm.audit import log_action
from crm.crypto import blind_index
from crm.importexport import ExportField, ImportField, ImportSpec, choice_display, cleaners
from crm.importexport.bulk import (
    copy_history,
    copy_history_values,
    copy_insert,
    copy_insert_values,
    note_index_writes,
)
from crm.models import BehaviourLog
from crm.scope import Module

from .dedupe import customers_by_contact_mobile, normalise_email, normalise_name, normalise_phone
from .models import Contact, Customer, Tag
from .search import contact_search_parts, customer_search_parts, search_document, search_grams, search_text
from .services.quality import customer_quality
from .validators import validate_phone

DATASET = "customers"
# Up to this many existing customers in the importer's scope are read once into memory for the duplicate
# checks; beyond it each batch asks the database (one query per batch).
PRELOAD_MAX_CUSTOMERS = 100_000
# Rows cleaned, checked and written together: five statements a batch (customers, their history, contacts,
# theirs, tags), so larger batches mean fewer round trips and fewer waits between the two threads of an import.
BATCH_SIZE = 5000

# Written as given when present in the file; an update leaves a field alone when its cell is empty.
SIMPLE_FIELDS = [
    "name", "kind", "industry", "level", "source", "lifecycle_stage", "phone", "email", "website", "address", "notes",
]  # fmt: skip
DEFAULTS = {
    "kind": Customer.Kind.COMPANY,
    "level": Customer.Level.C,
    "lifecycle_stage": Customer.Lifecycle.PROSPECT,
}


# The words people write for an industry besides its label (医疗 and 医疗健康 are one industry).
INDUSTRY_ALIASES = {
    Customer.Industry.IT: ["IT", "软件", "互联网", "计算机", "信息技术/软件", "software", "internet"],
    Customer.Industry.HEALTHCARE: ["医疗", "医药", "医院", "health care", "medical"],
    Customer.Industry.MANUFACTURING: ["制造", "工业", "industry"],
    Customer.Industry.FINANCE: ["金融", "银行", "保险", "banking", "insurance"],
    Customer.Industry.RETAIL: ["零售", "商贸", "电商", "e-commerce"],
    Customer.Industry.EDUCATION: ["教育", "培训", "学校"],
    Customer.Industry.GOVERNMENT: ["政府", "政务", "事业单位", "public sector"],
    Customer.Industry.LOGISTICS: ["物流", "运输", "快递", "transport"],
}

KIND_ALIASES = {
    Customer.Kind.COMPANY: ["企业", "单位", "机构", "organisation", "organization", "business"],
    Customer.Kind.INDIVIDUAL: ["个人客户", "自然人", "person", "private"],
}


def _phone(value: str) -> str:
    validate_phone(value)
    return value


def _field_length(name):
    return cleaners.text(Customer._meta.get_field(name).max_length)


def _website(value: str) -> str:
    value = cleaners.url(value)
    return _field_length("website")(value)  # "example.com" grew by "https://"; the column holds 200


def _tags(value: str) -> list[str]:
    names = cleaners.split_list(value)
    for name in names:
        if len(name) > Tag._meta.get_field("name").max_length:
            raise ValidationError(_("The tag “%(name)s” is too long.") % {"name": name})
    return names


def import_fields(owner_clean):
    """The columns of a customer file, with the English and Chinese headers people use."""
    return [
        ImportField(
            "name",
            gettext_lazy("Name"),
            (
                "customer name",
                "company",
                "company name",
                "customer",
                "客户名称",
                "名称",
                "客户",
                "公司名称",
                "客户名",
                "企业名称",
            ),
            required=True,
            clean=_field_length("name"),
        ),  # fmt: skip
        ImportField(
            "kind",
            gettext_lazy("Type"),
            ("kind", "customer type", "类型", "客户类型"),
            choices=Customer.Kind.choices,
            choice_aliases=KIND_ALIASES,
        ),  # fmt: skip
        ImportField(
            "level",
            gettext_lazy("Level"),
            ("grade", "customer level", "客户等级", "等级", "级别"),
            choices=Customer.Level.choices,
        ),  # fmt: skip
        ImportField(
            "lifecycle_stage",
            gettext_lazy("Lifecycle stage"),
            ("lifecycle", "stage", "生命周期", "阶段", "客户阶段", "生命周期阶段", "客户状态"),
            choices=Customer.Lifecycle.choices,
        ),  # fmt: skip
        ImportField(
            "source",
            gettext_lazy("Source"),
            ("customer source", "lead source", "来源", "客户来源"),
            choices=Customer.Source.choices,
        ),  # fmt: skip
        ImportField(
            "industry",
            gettext_lazy("Industry"),
            ("sector", "行业", "所属行业"),
            choices=Customer.Industry.choices,
            choice_aliases=INDUSTRY_ALIASES,
        ),  # fmt: skip
        ImportField(
            "phone",
            gettext_lazy("Phone"),
            ("telephone", "tel", "phone number", "电话", "联系电话", "座机", "公司电话", "电话号码"),
            clean=_phone,
        ),  # fmt: skip
        ImportField(
            "email",
            gettext_lazy("E-mail"),
            ("email", "mail", "email address", "邮箱", "电子邮件", "电子邮箱", "邮件"),
            clean=cleaners.email,
        ),  # fmt: skip
        ImportField(
            "website", gettext_lazy("Website"), ("web", "url", "homepage", "网站", "网址", "官网"), clean=_website
        ),  # fmt: skip
        ImportField(
            "address",
            gettext_lazy("Address"),
            ("地址", "联系地址", "公司地址", "详细地址"),
            clean=_field_length("address"),
        ),  # fmt: skip
        ImportField(
            "notes", gettext_lazy("Notes"), ("note", "remarks", "remark", "comments", "备注", "说明"), clean=None
        ),  # fmt: skip
        ImportField(
            "owner",
            gettext_lazy("Owner"),
            ("owner username", "sales rep", "负责人", "所有者", "销售负责人", "归属人"),
            clean=owner_clean,
            help_text=gettext_lazy("A user name; empty means you."),
        ),  # fmt: skip
        ImportField(
            "tags",
            gettext_lazy("Tags"),
            ("tag", "labels", "标签"),
            clean=_tags,
            help_text=gettext_lazy("Names separated by commas; new tags are created."),
        ),  # fmt: skip
        ImportField(
            "contact_name",
            gettext_lazy("Contact name"),
            ("contact", "contact person", "联系人", "联系人姓名", "姓名"),
            clean=cleaners.text(Contact._meta.get_field("name").max_length),
        ),  # fmt: skip
        ImportField(
            "contact_mobile",
            gettext_lazy("Contact mobile"),
            ("mobile", "cell", "cellphone", "手机", "手机号", "手机号码", "联系人手机"),
            clean=_phone,
        ),  # fmt: skip
        ImportField(
            "contact_email",
            gettext_lazy("Contact e-mail"),
            ("contact email", "联系人邮箱", "联系人电子邮件"),
            clean=cleaners.email,
        ),  # fmt: skip
    ]


_NOT_WORD = re.compile(r"[\W_]+")


def _name_fold(value: str) -> str:
    """The name as the duplicate query compares it: no case, width, spaces or punctuation."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", value)).lower()


def _phone_variants(key: str) -> set[str]:
    """The digit strings a stored phone may reduce to for this normalised key (+86, 0086, trunk zero)."""
    variants = {key, f"86{key}", f"0086{key}"}
    if key.startswith("0"):
        variants |= {f"86{key[1:]}", f"0086{key[1:]}"}
    return variants


_KEYS = "_duplicate_keys"  # not a field: where a row keeps its normalised values once worked out


def _normalised(row) -> tuple[str, str, str, str, str]:
    """The row's phone, e-mail and name as the duplicate checks compare them, its folded name, and its
    contact's mobile (which the duplicate checks compare like a phone, as the entry form's check does)."""
    keys = row.get(_KEYS)
    if keys is None:
        keys = row[_KEYS] = (
            normalise_phone(row["phone"]) if row.get("phone") else "",
            normalise_email(row["email"]) if row.get("email") else "",
            normalise_name(row["name"]),
            _name_fold(row["name"]),
            normalise_phone(row["contact_mobile"]) if row.get("contact_mobile") else "",
        )
    return keys


def _keys(row) -> list:
    phone, email, name, _fold, mobile = _normalised(row)
    keys = (("phone", phone), ("phone", mobile), ("email", email), ("name", name))
    return [key for key in keys if key[1]]


class CustomerImport:
    """The customer ImportSpec for one importing user."""

    def __init__(self, *, actor, file_name=""):
        self.actor = actor
        self.file_name = file_name
        self._owners = None
        self._tags = None
        self._preloaded = None
        # Customers created by this import are found in memory; the database is asked about older ones.
        self.max_pk = Customer.objects.aggregate(top=Max("pk"))["top"] or 0

    def spec(self) -> ImportSpec:
        return ImportSpec(
            dataset=DATASET,
            fields=import_fields(self.clean_owner),
            validate_row=self.validate_row,
            row_keys=_keys,
            find_existing=self.find_existing,
            create=self.create,
            update=self.update,
            finish=self.finish,
            batch_size=BATCH_SIZE,
        )

    # -- cleaning --------------------------------------------------------------------------------

    def clean_owner(self, value: str):
        if self._owners is None:
            self._owners = {}
            for user in assignable_users(user=self.actor, module=Module.CUSTOMERS):
                self._owners.setdefault(user.username.casefold(), user)
                if user.email:
                    self._owners.setdefault(user.email.casefold(), user)
        owner = self._owners.get(value.strip().casefold())
        if owner is None:
            raise ValidationError(_("“%(value)s” is not a user you can give customers to.") % {"value": value})
        return owner

    def validate_row(self, row):
        if (row.get("contact_mobile") or row.get("contact_email")) and not row.get("contact_name"):
            raise ValidationError({"contact_name": _("Enter the contact's name to go with the mobile or e-mail.")})
        return row

    # -- duplicates ------------------------------------------------------------------------------

    def _candidates(self):
        """The customers that existed before this import and the user may see."""
        return Customer.objects.visible_to(self.actor).filter(pk__lte=self.max_pk)

    def _index(self, candidates):
        """Existing customers by duplicate key: ('phone', key), ('email', key), ('fold', folded name)."""
        by_key = {}
        for pk, phone, email, name in candidates:
            if phone:
                by_key.setdefault(("phone", normalise_phone(phone)), pk)
            if email:
                by_key.setdefault(("email", normalise_email(email)), pk)
            by_key.setdefault(("fold", _name_fold(name)), pk)
        by_key.pop(("phone", ""), None)
        by_key.pop(("email", ""), None)
        return by_key

    def find_existing(self, rows):
        if self._preloaded is None:
            # A scope of moderate size is read once, in key order; a huge one is asked batch by batch.
            limit = PRELOAD_MAX_CUSTOMERS
            if self._candidates()[: limit + 1].count() <= limit:
                self._preloaded = self._index(
                    self._candidates().order_by("pk").values_list("pk", "phone", "email", "name")
                )
            else:
                self._preloaded = False
        by_key = self._preloaded or self._batch_index(rows)
        by_mobile = customers_by_contact_mobile(
            self._candidates(), {raw for row in rows for raw in (row.get("phone"), row.get("contact_mobile")) if raw}
        )
        matches = []
        for row in rows:
            phone, email, _name, fold, mobile = _normalised(row)
            match = None
            for key in (phone, mobile):
                if match is None and key:
                    match = by_key.get(("phone", key)) or by_mobile.get(key)
            if match is None and email:
                match = by_key.get(("email", email))
            if match is None:
                match = by_key.get(("fold", fold))
            matches.append(match)
        return matches

    def _batch_index(self, rows):
        """One query for the batch: candidates by digits of the phone, lower-case e-mail or folded name."""
        phones, emails, names = set(), set(), set()
        for row in rows:
            phone, _email, _name, fold, mobile = _normalised(row)
            for key in (phone, mobile):
                if key:
                    phones |= _phone_variants(key)
            if row.get("email"):
                emails.add(row["email"].lower())
            names.add(fold)
        condition = Q(name_fold__in=names)
        if phones:
            condition |= Q(phone_digits__in=phones)
        if emails:
            condition |= Q(email_lower__in=emails)
        candidates = (
            self._candidates()
            .annotate(
                phone_digits=Func(F("phone"), Value(r"\D"), Value(""), Value("g"), function="regexp_replace"),
                email_lower=Lower("email"),
                name_fold=Lower(
                    Func(
                        Func(F("name"), template="normalize(%(expressions)s, NFKC)"),
                        Value(r"[^[:alnum:]]+"),
                        Value(""),
                        Value("g"),
                        function="regexp_replace",
                    )
                ),
            )
            .filter(condition)
            .order_by("pk")
            .values_list("pk", "phone", "email", "name")
        )
        return self._index(candidates)

    # -- writing ---------------------------------------------------------------------------------

    def _tag_objects(self, rows) -> dict:
        """Tags by case-folded name, creating the ones the rows name that do not exist yet."""
        if self._tags is None:
            self._tags = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        wanted = {name.casefold(): name for row in rows for name in (row.get("tags") or ())}
        missing = [name for key, name in wanted.items() if key not in self._tags]
        if missing:
            Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
            for tag in Tag.objects.filter(name__in=missing):
                self._tags[tag.name.casefold()] = tag
        return self._tags

    def _add_tags(self, pairs, new=False):
        """``pairs`` of (customer pk, row): the rows' tags are added to the customers (never removed)."""
        tags = self._tag_objects([row for _customer, row in pairs])
        Through = Customer.tags.through
        links = {
            (customer_pk, tags[name.casefold()].pk)
            for customer_pk, row in pairs
            for name in (row.get("tags") or ())
            if name.casefold() in tags
        }
        if new:  # new customers have no tags yet
            copy_insert_values(Through, [{"customer_id": c, "tag_id": t} for c, t in sorted(links)])
        elif links:
            Through.objects.bulk_create(
                [Through(customer_id=c, tag_id=t) for c, t in sorted(links)], ignore_conflicts=True
            )

    @staticmethod
    def _contact(row, *, primary=True):
        if not row.get("contact_name"):
            return None
        contact = Contact(
            name=row["contact_name"],
            mobile=row.get("contact_mobile") or "",
            email=row.get("contact_email") or "",
            is_primary=primary,
        )
        contact.refresh_search()  # written with COPY, past save()
        return contact

    @staticmethod
    def _score(customer, contacts):
        customer.quality_score, customer.quality_missing = customer_quality(customer, contacts)

    def create(self, rows):
        """New customers (and primary contacts, tags, history rows) written with COPY, no model instances."""
        actor = self.actor
        customers, contacts, tag_pairs = [], [], []
        fixed = {"created_by_id": actor.pk, "updated_by_id": actor.pk}
        for row in rows:
            owner = row.get("owner") or actor
            values = {field: row.get(field) or DEFAULTS.get(field, "") for field in SIMPLE_FIELDS}
            values.update(fixed, owner_id=owner.pk, team_id=owner.team_id)
            parts = customer_search_parts(values["name"], values["phone"], values["email"])
            contact = None
            if row.get("contact_name"):
                contact = {
                    "name": row["contact_name"],
                    "mobile": row.get("contact_mobile") or "",
                    "mobile_hash": blind_index(row.get("contact_mobile") or "", "phone"),
                    "phone": "",
                    "email": row.get("contact_email") or "",
                    "is_primary": True,
                }
                contact_parts = contact_search_parts(contact["name"], "", contact["email"])
                contact["search_document"] = search_text(contact_parts)
                contact["search_grams"] = search_grams(contact["search_document"])
                parts += contact_parts
            values["search_document"] = search_text(parts)
            values["search_grams"] = search_grams(values["search_document"])
            found = [contact] if contact else []
            quality = {**values, "last_contacted_at": None, "updated_at": None}
            # The phones and e-mails passed the import's validators already.
            values["quality_score"], values["quality_missing"] = customer_quality(quality, found, validated=True)
            customers.append(values)
            contacts.append(contact)
            if row.get("tags"):
                tag_pairs.append((values, row))
        copy_insert_values(Customer, customers)
        copy_history_values(Customer, customers, user=actor)
        new_contacts = []
        for values, contact in zip(customers, contacts, strict=True):
            if contact is not None:
                contact["customer_id"] = values["id"]
                new_contacts.append(contact)
        copy_insert_values(Contact, new_contacts)
        copy_history_values(Contact, new_contacts, user=actor)
        self._add_tags([(values["id"], row) for values, row in tag_pairs], new=True)

    def update(self, pairs):
        actor, now = self.actor, timezone.now()
        found = Customer.objects.prefetch_related("contacts").in_bulk([pk for pk, _row in pairs])
        touched, new_contacts, tag_pairs = {}, [], []
        for pk, row in pairs:
            customer = found[pk]
            for field in SIMPLE_FIELDS:
                if row.get(field):
                    setattr(customer, field, row[field])
            owner = row.get("owner")
            if owner is not None and owner.pk != customer.owner_id:
                customer.owner, customer.team_id = owner, owner.team_id
            customer.updated_by, customer.updated_at = actor, now
            contacts = list(customer.contacts.all())
            names = {c.name.casefold() for c in contacts}
            contact = self._contact(row, primary=not any(c.is_primary for c in contacts))
            if contact is not None and contact.name.casefold() not in names:
                contact.customer = customer
                new_contacts.append(contact)
                contacts.append(contact)
            customer.search_document = search_document(customer, contacts)
            customer.search_grams = search_grams(customer.search_document)
            self._score(customer, contacts)
            touched[pk] = customer
            tag_pairs.append((customer.pk, row))
        fields = [*SIMPLE_FIELDS, "owner", "team", "updated_by", "updated_at", "search_document", "search_grams",
                  "quality_score", "quality_missing"]  # fmt: skip
        bulk_update_with_history(list(touched.values()), Customer, fields, batch_size=1000, default_user=actor)
        note_index_writes(Customer)
        copy_insert(Contact, new_contacts)
        copy_history(Contact, new_contacts, user=actor)
        self._add_tags(tag_pairs)

    def finish(self, counts):
        log_action(
            actor=self.actor,
            action=BehaviourLog.Action.CREATE,
            module="customers",
            detail={"import": DATASET, "file": self.file_name, **counts},
        )


def customer_import_spec(*, actor, file_name="") -> ImportSpec:
    return CustomerImport(actor=actor, file_name=file_name).spec()


# -- export ------------------------------------------------------------------------------------------


def _tag_names(pks) -> dict:
    """Tag names of a chunk of customers, ``{pk: "a, b"}``: one query per chunk."""
    names = dict(Tag.objects.values_list("pk", "name"))
    found = {}
    for customer_id, tag_id in Customer.tags.through.objects.filter(customer_id__in=pks).values_list(
        "customer_id", "tag_id"
    ):
        found.setdefault(customer_id, []).append(names[tag_id])
    return {pk: ", ".join(sorted(tags)) for pk, tags in found.items()}


def export_fields() -> list[ExportField]:
    """The columns a customer export may have; their labels are the headers the import recognises."""
    return [
        ExportField("name", gettext_lazy("Name"), "name"),
        ExportField("kind", gettext_lazy("Type"), "kind", choice_display(Customer.Kind.choices)),
        ExportField("level", gettext_lazy("Level"), "level", choice_display(Customer.Level.choices)),
        ExportField(
            "lifecycle_stage",
            gettext_lazy("Lifecycle stage"),
            "lifecycle_stage",
            choice_display(Customer.Lifecycle.choices),
        ),
        ExportField("source", gettext_lazy("Source"), "source", choice_display(Customer.Source.choices)),
        ExportField("industry", gettext_lazy("Industry"), "industry", choice_display(Customer.Industry.choices)),
        ExportField("phone", gettext_lazy("Phone"), "phone"),
        ExportField("email", gettext_lazy("E-mail"), "email"),
        ExportField("website", gettext_lazy("Website"), "website"),
        ExportField("address", gettext_lazy("Address"), "address"),
        ExportField("owner", gettext_lazy("Owner"), "owner__username"),
        ExportField("team", gettext_lazy("Team"), "team__name"),
        ExportField("tags", gettext_lazy("Tags"), "pk", batch=_tag_names),
        ExportField("notes", gettext_lazy("Notes"), "notes"),
        ExportField("quality_score", gettext_lazy("Data quality"), "quality_score"),
        ExportField("created_at", gettext_lazy("Created"), "created_at"),
        ExportField("updated_at", gettext_lazy("Updated"), "updated_at"),
    ]


DEFAULT_EXPORT_FIELDS = [
    "name", "kind", "level", "lifecycle_stage", "source", "industry", "phone", "email", "address", "owner", "tags",
]  # fmt: skip
