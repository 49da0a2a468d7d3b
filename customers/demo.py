"""Demo customers: a few dozen made through the services (with history), and bulk volume on request."""

import random
import time
from datetime import timedelta

from django.db import connection
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from crm import seasons
from crm.crypto import encrypt

from . import services
from .models import CarePlan, Communication, Contact, Customer, CustomerGroup, Tag
from .search_text import search_document, search_grams
from .services import care, quality, segments
from .services.communications import communication_create

CITIES = ["北京", "上海", "深圳", "杭州", "广州", "成都", "南京", "苏州", "武汉", "西安", "天津", "重庆"]
WORDS = ["华信", "创达", "恒通", "远航", "金桥", "新锐", "博源", "天成", "嘉禾", "瑞丰", "鼎盛", "宏图", "众合", "蓝海"]
TRADES = ["科技", "贸易", "制造", "物流", "电子", "医疗器械", "教育咨询", "软件", "食品", "新能源"]
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司"]
EN_NAMES = ["Northwind", "Contoso", "Fabrikam", "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell",
            "Cyberdyne", "Hooli", "Vandelay", "Soylent", "Wonka", "Oceanic"]  # fmt: skip
EN_TRADES = ["Trading", "Logistics", "Systems", "Foods", "Medical", "Energy", "Software", "Industries"]
EN_SUFFIXES = ["Co., Ltd.", "Inc.", "Ltd.", "GmbH", "LLC"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 桂英 建华 志强 晓东 海燕 春梅 国栋".split()
EN_FIRST = ["James", "Mary", "John", "Linda", "Michael", "Sarah", "David", "Emma", "Daniel", "Olivia", "Kevin", "Grace"]
EN_LAST = ["Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Anderson", "Clark", "Lewis"]
TITLES = ["总经理", "采购经理", "技术总监", "财务主管", "Purchasing manager", "CTO", "Office manager", "销售总监"]
TAGS = [
    ("重点客户", "#dc3545"),
    ("老客户", "#198754"),
    ("待跟进", "#fd7e14"),
    ("Partner", "#0d6efd"),
    ("展会", "#6f42c1"),
]


def _company_name(rng):
    if rng.random() < 0.7:
        return f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}"
    return f"{rng.choice(EN_NAMES)} {rng.choice(EN_TRADES)} {rng.choice(EN_SUFFIXES)}"


def _person_name(rng):
    if rng.random() < 0.75:
        return rng.choice(SURNAMES) + rng.choice(GIVEN)
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


def _mobile(rng):
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _email(rng, n):
    return f"contact{n}@{rng.choice(['example.com', 'example.cn', 'mail.example.org'])}"


def seed(context):
    rng = random.Random(7)
    tags = [Tag.objects.get_or_create(name=name, defaults={"colour": colour})[0] for name, colour in TAGS]
    vip_group, _ = CustomerGroup.objects.get_or_create(
        name="VIP", defaults={"kind": CustomerGroup.Kind.FILTER, "filter_query": "lifecycle_stage=vip"}
    )
    CustomerGroup.objects.get_or_create(name="2026 展会名单", defaults={"kind": CustomerGroup.Kind.STATIC})
    if Customer.objects.filter(created_by__username__in=["rep", "rep2", "rep3", "manager"]).exists():
        return
    reps = list(User.objects.filter(username__in=["rep", "rep2", "rep3", "manager"]))
    for n in range(60):
        owner = reps[n % len(reps)]
        customer = services.customer_create(
            actor=owner,
            data={
                "name": _company_name(rng),
                "kind": Customer.Kind.COMPANY,
                "industry": rng.choice(Customer.Industry.values),
                "level": rng.choice(Customer.Level.values),
                "source": rng.choice(Customer.Source.values),
                "lifecycle_stage": rng.choice(Customer.Lifecycle.values),
                "phone": f"0{rng.randint(10, 99)}-{rng.randint(6000000, 8999999)}",
                "email": _email(rng, n),
                "address": f"{rng.choice(CITIES)}市{rng.choice(WORDS)}路{rng.randint(1, 999)}号",
            },
            tags=rng.sample(tags, rng.randint(0, 2)),
        )
        for k in range(rng.randint(1, 3)):
            services.contact_create(
                actor=owner,
                customer=customer,
                data={
                    "name": _person_name(rng),
                    "title": rng.choice(TITLES),
                    "mobile": _mobile(rng),
                    "email": f"p{n}-{k}@example.com",
                    "is_primary": k == 0,
                },
            )
    _seed_activity(rng, reps)
    _seed_history(rng, reps)
    context["stdout"].write(f"Demo customers: {Customer.objects.count()}")


RESULTS = ["客户同意安排演示", "需要内部讨论", "已发送报价", "Asked for references", "暂无需求，半年后再联系", ""]


def _seed_history(rng, reps):
    """Spread the demo customers over the last months and give each a history of communications.

    Bulk inserts, a few queries in all: the history is data to look at, not a replay of every service
    call (the customers and the latest communications above are made through the services).
    """
    customers = list(Customer.objects.filter(owner__in=reps).order_by("pk"))
    for customer, when in zip(customers, seasons.moments(rng, len(customers)), strict=True):
        customer.created_at = when
    records = []
    for customer in customers:
        for when in seasons.moments(rng, rng.randint(3, 10), after=customer.created_at):
            records.append(
                Communication(
                    customer=customer,
                    owner=customer.owner,
                    occurred_at=when,
                    channel=rng.choice(Communication.Channel.values),
                    subject=rng.choice(SUBJECTS),
                    content="客户对新方案感兴趣，需要进一步报价。",
                    result=rng.choice(RESULTS),
                )  # fmt: skip
            )
    Communication.objects.bulk_create(records, batch_size=500)
    for record in records:
        record.created_at = record.occurred_at
    Communication.objects.bulk_update(records, ["created_at"], batch_size=500)
    # Nothing is recorded about a customer before it was entered (the latest records above were made
    # today, some days back); a customer was last contacted at its latest record.
    created = {customer.pk: customer.created_at for customer in customers}
    now = timezone.now()
    early = []
    for record in Communication.objects.filter(customer__in=customers).only("pk", "customer_id", "occurred_at"):
        if record.occurred_at < created[record.customer_id]:
            record.occurred_at = record.created_at = min(
                created[record.customer_id] + timedelta(hours=rng.randint(2, 200)), now
            )
            early.append(record)
    Communication.objects.bulk_update(early, ["occurred_at", "created_at"], batch_size=500)
    lasts = dict(
        Communication.objects.filter(customer__in=customers).values("customer").annotate(last=Max("occurred_at"))
        .values_list("customer", "last")
    )  # fmt: skip
    for customer in customers:
        customer.last_contacted_at = lasts.get(customer.pk, customer.last_contacted_at)
    Customer.objects.bulk_update(customers, ["created_at", "last_contacted_at"], batch_size=500)
    Contact.objects.filter(customer__in=customers).update(
        created_at=Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("created_at")[:1])
    )


SUBJECTS = ["电话回访", "产品演示", "报价沟通", "合同条款确认", "Quarterly review", "Follow-up call", "上门拜访"]


def _seed_activity(rng, reps):
    """Communications, follow-ups, care rules and the scores the nightly jobs keep, so every page has data."""

    now = timezone.now()
    for customer in Customer.objects.filter(owner__in=reps).select_related("owner")[:40]:
        for k in range(rng.randint(1, 3)):
            communication_create(
                actor=customer.owner,
                customer=customer,
                data={
                    "occurred_at": now - timedelta(days=rng.randint(1, 200), hours=k),
                    "channel": rng.choice(Communication.Channel.values),
                    "subject": rng.choice(SUBJECTS),
                    "content": "客户对新方案感兴趣，需要进一步报价。",
                    "next_follow_up": (now + timedelta(days=rng.randint(-3, 10))).date() if k == 0 else None,
                },
            )
    admin = User.objects.filter(is_superuser=True).first()
    care.care_plan_create(
        actor=admin,
        data={"name": "联系人生日问候", "occasion": CarePlan.Occasion.BIRTHDAY, "channel": CarePlan.Channel.SMS,
              "days_before": 3, "content": "祝您生日快乐！"},
    )  # fmt: skip
    care.contact_cadence_create(
        actor=admin,
        data={"name": "VIP 每 30 天联系", "lifecycle_stage": Customer.Lifecycle.VIP, "interval_days": 30,
              "channel": CarePlan.Channel.PHONE},
    )  # fmt: skip
    care.care_actions_generate()
    quality.customers_quality_recompute()
    segments.customers_churn_recompute()


def seed_volume(context, customers=0, contacts_per_customer=2, seed=2026):
    """Add ``customers`` generated customers with contacts through COPY: fast enough for millions."""
    if customers <= 0:
        return
    rng = random.Random(seed)
    started = time.monotonic()
    owners = list(User.objects.filter(is_active=True).values_list("id", "team_id"))
    now = timezone.now()
    batch = 50_000
    done = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('customers_customer', 'id'))")
        next_customer = cursor.fetchone()[0]
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('customers_customer', 'id'), %s)", [next_customer + customers]
        )
        cursor.execute("SELECT nextval(pg_get_serial_sequence('customers_contact', 'id'))")
        next_contact = cursor.fetchone()[0]
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('customers_contact', 'id'), %s)",
            [next_contact + customers * contacts_per_customer],
        )
    while done < customers:
        size = min(batch, customers - done)
        customer_rows, contact_rows = [], []
        for i in range(size):
            n = done + i
            customer_id = next_customer + n
            owner_id, team_id = owners[n % len(owners)]
            customer = Customer(
                name=_company_name(rng) if rng.random() < 0.85 else _person_name(rng),
                phone=f"0{rng.randint(10, 99)}-{rng.randint(6000000, 8999999)}",
                email=_email(rng, customer_id),
            )
            contacts = []
            for k in range(contacts_per_customer):
                contact = Contact(
                    id=next_contact + n * contacts_per_customer + k,
                    name=_person_name(rng),
                    mobile=_mobile(rng),
                    email=f"p{customer_id}-{k}@example.com",
                    title=rng.choice(TITLES),
                    is_primary=k == 0,
                )
                contacts.append(contact)
            created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 720))
            customer_rows.append((
                customer_id, customer.name, "company", rng.choice("ABCD"), rng.choice(Customer.Source.values),
                rng.choice(Customer.Lifecycle.values), owner_id, team_id, customer.phone, customer.email,
                (document := search_document(customer, contacts)), created, created,
                # Scores and last contact as the nightly jobs would leave them, so reports have spread.
                rng.randint(20, 100), "[]", rng.randint(0, 100), "[]", "",
                None if rng.random() < 0.2 else created + (now - created) * rng.random(),
                search_grams(document),
            ))  # fmt: skip
            for contact in contacts:
                contact.refresh_search()
                contact_rows.append((
                    contact.id, customer_id, contact.name, contact.title, encrypt(contact.mobile),
                    contact.mobile_hash, contact.email, contact.is_primary, created, created,
                    contact.search_document, contact.search_grams,
                ))  # fmt: skip
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY customers_customer (id, name, kind, level, source, lifecycle_stage, owner_id, team_id, "
                "phone, email, search_document, created_at, updated_at, industry, website, address, notes, "
                "consent, consent_method, quality_score, quality_missing, churn_score, churn_reasons, rfm_segment, "
                "last_contacted_at, search_grams, id_number, id_number_hash) FROM STDIN"
            ) as copy:
                for row in customer_rows:
                    copy.write_row(row[:13] + ("", "", "", "", "unknown", "") + row[13:] + ("", ""))
            with cursor.copy(
                "COPY customers_contact (id, customer_id, name, title, mobile, mobile_hash, email, is_primary, "
                "created_at, updated_at, search_document, search_grams, phone, notes) FROM STDIN"
            ) as copy:
                for row in contact_rows:
                    copy.write_row(row + ("", ""))
        done += size
        context["stdout"].write(f"  {done:,} / {customers:,} customers")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
        cursor.execute("ANALYZE customers_contact")
    context["stdout"].write(f"Loaded {customers:,} customers in {time.monotonic() - started:.1f} s")
