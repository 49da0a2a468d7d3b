"""Demo campaigns, an event with registrations and check-ins, an e-mail campaign and a prospect.

Made through the services (history and behaviour log included); running it again adds nothing.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from customers.models import Customer, CustomerGroup

from .models import Campaign, Event, Registration
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
    context["stdout"].write(f"  marketing: {len(made)} campaigns, 2 events, {len(GUESTS)} registrations")
