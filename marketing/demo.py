"""Demo campaigns, an event with registrations and check-ins, an e-mail campaign and a prospect.

Made through the services (history and behaviour log included); running it again adds nothing.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from customers.models import Customer, CustomerGroup

from .models import Campaign, Event, Registration, SurveyResponse
from .services import campaigns, emails, events, prospects, registrations

CAMPAIGNS = [
    ("2026 秋季新品发布会", Campaign.Kind.EVENT, Decimal("80000"), Decimal("65200.50"), Decimal("500000")),
    ("Cloud webinar series", Campaign.Kind.WEBINAR, Decimal("12000"), Decimal("9800"), Decimal("150000")),
    ("上海工业博览会", Campaign.Kind.EXHIBITION, Decimal("150000"), Decimal("0"), Decimal("800000")),
]

GUESTS = [
    ("王伟", "华信科技有限公司", "wangwei@example.cn"),
    ("李娜", "恒通物流股份有限公司", "lina@example.cn"),
    ("Sarah Miller", "Contoso Systems Inc.", "sarah@contoso.example"),
    ("张磊", "远航电子有限公司", "zhanglei@example.cn"),
    ("陈静", "金桥医疗器械有限公司", "chenjing@example.cn"),
]


def seed(context):
    owner = User.objects.filter(username="marketing").first()
    if owner is None or Campaign.objects.exists():
        return
    today = timezone.localdate()
    made = []
    for n, (name, kind, budget, cost, expected) in enumerate(CAMPAIGNS):
        made.append(
            campaigns.campaign_create(
                actor=owner,
                data={
                    "name": name,
                    "kind": kind,
                    "status": Campaign.Status.ACTIVE if n < 2 else Campaign.Status.PLANNED,
                    "start_date": today - timedelta(days=30 - 20 * n),
                    "end_date": today + timedelta(days=30 + 10 * n),
                    "budget": budget,
                    "actual_cost": cost,
                    "expected_revenue": expected,
                },
                target_groups=CustomerGroup.objects.all()[:1],
            )  # fmt: skip
        )
    starts = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=5)
    launch = events.event_create(
        actor=owner,
        campaign=made[0],
        data={
            "theme": "秋季新品发布会 · 上海站",
            "kind": Event.Kind.CONFERENCE,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=4),
            "location": "上海浦东新区世纪大道 100 号",
            "capacity": 4,
            "registration_deadline": starts - timedelta(days=1),
            "agenda": "14:00 签到\n14:30 新品发布\n16:00 客户交流\n17:30 抽奖",
        },  # fmt: skip
        audience={"customers": list(Customer.objects.filter(consent=Customer.Consent.GIVEN)[:5])},
    )
    Event.objects.filter(pk=launch.pk).update(status=Event.Status.PUBLISHED, published_at=timezone.now())
    launch.refresh_from_db()
    events.invitations_prepare(actor=owner, event=launch)
    for name, company, email in GUESTS:
        registrations.registration_create(event=launch, data={"name": name, "company": company, "email": email})
    for registration in Registration.objects.filter(event=launch, status=Registration.Status.CONFIRMED)[:2]:
        registrations.registration_check_in(actor=owner, event=launch, code=registration.code)
    events.event_create(
        actor=owner,
        campaign=made[1],
        data={
            "theme": "Cloud cost webinar",
            "kind": Event.Kind.WEBINAR,
            "starts_at": starts + timedelta(days=7),
            "ends_at": starts + timedelta(days=7, hours=1),
            "online_url": "https://meet.example.com/cloud",
            "capacity": 200,
        },  # fmt: skip
    )
    group = CustomerGroup.objects.first()
    if group is not None:
        emails.email_campaign_create(
            actor=owner,
            campaign=made[1],
            data={"group": group, "subject": "Cloud webinar: save your seat", "body": "Dear {{ name }},\n\nJoin us…",
                  "rate_per_minute": 30},
        )  # fmt: skip
    prospects.web_form_submit(
        campaign=made[2], data={"name": "周杰", "company": "天成软件有限公司", "email": "zhoujie@tiancheng.example"}
    )
    past = _seed_history(random.Random(5), owner)
    context["stdout"].write(
        f"  marketing: {len(made) + past} campaigns, {2 + past} events, {len(GUESTS)} registrations and a past"
    )


# name, kind, months ago, guests, budget, cost
PAST_CAMPAIGNS = [
    ("春季产品巡展 · 杭州站", Campaign.Kind.EVENT, 16, 38, "60000", "52400"),
    ("年中客户答谢会", Campaign.Kind.EVENT, 12, 45, "90000", "86300"),
    ("Summer cloud webinar", Campaign.Kind.WEBINAR, 9, 60, "8000", "6200"),
    ("秋季行业展会 · 深圳", Campaign.Kind.EXHIBITION, 6, 52, "120000", "118000"),
    ("年终客户答谢会", Campaign.Kind.EVENT, 2, 40, "80000", "74500"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "建华", "晓东"]


def _seed_history(rng, owner) -> int:
    """Finished campaigns over the last months, each with a finished event, its guests (most of them came)
    and their satisfaction answers: bulk inserts, so the marketing reports have a past to show."""
    today = timezone.localdate()
    customers = list(Customer.objects.order_by("pk")[:60])
    registrations, answers = [], []
    for name, kind, months_ago, guests, budget, cost in PAST_CAMPAIGNS:
        index = today.year * 12 + today.month - 1 - months_ago
        day = date(index // 12, index % 12 + 1, rng.randint(8, 24))
        campaign = Campaign.objects.create(
            name=name, kind=kind, status=Campaign.Status.COMPLETED, owner=owner, team=owner.team,
            start_date=day - timedelta(days=30), end_date=day + timedelta(days=3), budget=Decimal(budget),
            actual_cost=Decimal(cost), expected_revenue=Decimal(budget) * 6,
        )  # fmt: skip
        starts = timezone.make_aware(datetime.combine(day, time(14, 0)))
        event = Event.objects.create(
            campaign=campaign, theme=name, kind=Event.Kind.WEBINAR if kind == Campaign.Kind.WEBINAR else
            Event.Kind.CONFERENCE, status=Event.Status.FINISHED, starts_at=starts, ends_at=starts + timedelta(hours=4),
            location="" if kind == Campaign.Kind.WEBINAR else "会展中心", capacity=guests + 10,
            registration_deadline=starts - timedelta(days=1), published_at=starts - timedelta(days=25),
        )  # fmt: skip
        for n in range(guests):
            customer = rng.choice(customers) if customers and rng.random() < 0.6 else None
            came = rng.random() < 0.75
            registration = Registration(
                event=event, customer=customer, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                company=customer.name if customer else "", email=f"guest{event.pk}-{n}@example.cn",
                status=Registration.Status.CONFIRMED, code=f"H{event.pk:03d}{n:03d}{rng.randrange(16**6):06X}",
                checked_in_at=starts + timedelta(minutes=rng.randint(-20, 40)) if came else None,
            )  # fmt: skip
            registration.registered_at = starts - timedelta(days=rng.randint(2, 24), hours=rng.randint(0, 9))
            registrations.append(registration)
    registered = [registration.registered_at for registration in registrations]
    Registration.objects.bulk_create(registrations, batch_size=500)
    for registration, when in zip(registrations, registered, strict=True):
        registration.registered_at = when  # bulk_create stamped "now" (auto_now_add)
    Registration.objects.bulk_update(registrations, ["registered_at"], batch_size=500)
    for registration in registrations:
        if registration.checked_in_at and rng.random() < 0.6:
            answers.append(SurveyResponse(registration=registration, score=rng.choice([3, 4, 4, 5, 5, 5])))
    SurveyResponse.objects.bulk_create(answers, batch_size=500)
    for answer in answers:
        answer.answered_at = answer.registration.checked_in_at + timedelta(hours=rng.randint(5, 48))
    SurveyResponse.objects.bulk_update(answers, ["answered_at"], batch_size=500)
    return len(PAST_CAMPAIGNS)
