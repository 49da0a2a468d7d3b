"""The columns of a customer file: their English and Chinese headers, the words accepted for each choice,
and how a cell is cleaned (by the validators the customer form uses)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.importexport import ImportField, cleaners

from ..models import Contact, Customer, Tag
from ..validators import validate_phone

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
