"""Demo service desk: a working calendar with holidays, SLA policies, a queue taking web tickets, FAQ
articles, and a few dozen tickets in every state made through the services."""

import random
from datetime import date, timedelta

from django.db.models import F
from django.utils import timezone

from accounts.models import Team, User
from crm import seasons
from customers.models import Customer

from .models import Article, ArticleCategory, CalendarDay, Queue, SatisfactionSurvey, SlaPolicy, Ticket, WorkCalendar
from .services import knowledge, surveys, tickets

HOLIDAYS = [
    (date(2026, 10, 1), "国庆节"), (date(2026, 10, 2), "国庆节"), (date(2026, 10, 5), "国庆节"),
    (date(2026, 10, 6), "国庆节"), (date(2026, 10, 7), "国庆节"), (date(2027, 1, 1), "元旦"),
    (date(2027, 2, 5), "春节"), (date(2027, 2, 8), "春节"), (date(2027, 2, 9), "春节"), (date(2027, 2, 10), "春节"),
]  # fmt: skip
MAKE_UP_DAYS = [(date(2026, 10, 10), "国庆节调休"), (date(2027, 2, 20), "春节调休")]
POLICIES = [  # priority, first response (min), resolution (min), business hours
    (Ticket.Priority.URGENT, 30, 4 * 60, False),
    (Ticket.Priority.HIGH, 60, 8 * 60, True),
    (Ticket.Priority.NORMAL, 4 * 60, 3 * 9 * 60, True),
    (Ticket.Priority.LOW, 9 * 60, 5 * 9 * 60, True),
]
FAQ = [
    ("账户与发票", "如何修改发票抬头？", "在订单详情页点击“修改发票信息”，提交后财务会在一个工作日内重开发票。"),
    (
        "账户与发票",
        "How do I change the invoice title?",
        "Open the order and choose “Change invoice details”. Finance reissues the invoice within one working day.",
    ),  # fmt: skip
    ("设备故障", "打印机卡纸怎么办？", "关闭电源，打开前盖，沿出纸方向轻拉纸张；不要向回拉。"),
    (
        "设备故障",
        "The scanner shows as offline",
        "Restart the scanner, then check that it has an IP address on the "
        "network page of its settings. If it still shows offline, open a ticket with a photo of the screen.",
    ),  # fmt: skip
    ("配送与退货", "退货需要多长时间？", "收到退回的商品后三个工作日内完成退款。"),
]
SUBJECTS = [
    (Ticket.Type.COMPLAINT, "发货延迟两周"), (Ticket.Type.COMPLAINT, "Invoice amount is wrong"),
    (Ticket.Type.INQUIRY, "能否开具增值税专用发票？"), (Ticket.Type.INQUIRY, "Delivery time to Chengdu?"),
    (Ticket.Type.FAULT, "打印机频繁卡纸"), (Ticket.Type.FAULT, "Scanner offline since this morning"),
    (Ticket.Type.SUGGESTION, "希望增加微信通知"), (Ticket.Type.SUGGESTION, "Add a self-service portal"),
]  # fmt: skip
PATHS = [[], ["in_progress"], ["in_progress", "waiting"], ["in_progress", "resolved"],
         ["in_progress", "resolved", "closed"], ["waiting", "in_progress", "resolved"]]  # fmt: skip


def seed(context):
    calendar, _ = WorkCalendar.objects.get_or_create(name="中国大陆办公时间 Mainland China office hours")
    for day, name in HOLIDAYS:
        CalendarDay.objects.get_or_create(calendar=calendar, date=day, defaults={"name": name})
    for day, name in MAKE_UP_DAYS:
        CalendarDay.objects.get_or_create(calendar=calendar, date=day, defaults={"name": name, "working": True})
    for priority, response, resolution, business in POLICIES:
        SlaPolicy.objects.get_or_create(
            priority=priority,
            defaults={"first_response_minutes": response, "resolution_minutes": resolution, "business_hours": business},
        )
    admin = User.objects.filter(username="admin").first()
    for category_name, title, body in FAQ:
        category, _ = ArticleCategory.objects.get_or_create(name=category_name)
        if not Article.objects.filter(title=title).exists():
            knowledge.article_create(
                actor=admin,
                data={"title": title, "body": body, "category": category, "status": Article.Status.PUBLISHED},
            )
    agents = list(User.objects.filter(username="service"))
    manager = User.objects.filter(username="manager").first()
    queue, created = Queue.objects.get_or_create(
        name="客户服务 Customer service",
        defaults={
            "team": Team.objects.filter(name="Customer service").first(),
            "manager": manager,
            "calendar": calendar,
            "accepts_web": True,
        },
    )
    if created:
        queue.members.set(agents)
    if Ticket.objects.exists() or not agents:
        return
    _tickets(queue, agents[0])
    _history(queue, agents[0])


def _history(queue, agent):
    """Tickets of the last months, answered and resolved (a few late) with their satisfaction answers,
    seasonal like the sales: bulk inserts, so the service dashboards and statistics have a past."""
    rng = random.Random(13)
    customers = list(Customer.objects.order_by("pk")[:60])
    tickets_made, opened = [], []
    now = timezone.now()
    for when in seasons.moments(rng, 140):
        kind, subject = rng.choice(SUBJECTS)
        answered = when + timedelta(hours=rng.choice([0.3, 0.5, 1, 2, 3, 5, 9]))
        resolved = answered + timedelta(hours=rng.choice([2, 4, 8, 20, 30, 50, 90]))
        if resolved >= now:
            continue
        customer = rng.choice(customers)
        tickets_made.append(
            Ticket(
                subject=subject,
                description=subject,
                type=kind,
                channel=rng.choice(Ticket.Channel.values),
                priority=rng.choice(Ticket.Priority.values),
                status=Ticket.Status.CLOSED,
                customer=customer,
                queue=queue,
                assignee=agent,
                created_by=agent,
                response_due_at=when + timedelta(hours=4),
                resolution_due_at=when + timedelta(hours=48),
                first_responded_at=answered,
                resolved_at=resolved,
                closed_at=resolved + timedelta(days=2) if resolved + timedelta(days=2) < now else resolved,
                response_breached=answered > when + timedelta(hours=4),
                resolution_breached=resolved > when + timedelta(hours=48),
            )  # fmt: skip
        )
        opened.append(when)
    Ticket.objects.bulk_create(tickets_made, batch_size=500)
    for ticket, when in zip(tickets_made, opened, strict=True):
        ticket.created_at = when
    Ticket.objects.bulk_update(tickets_made, ["created_at"], batch_size=500)
    answers = [
        SatisfactionSurvey(
            ticket=ticket,
            customer=ticket.customer,
            score=rng.choice([2, 3, 4, 4, 5, 5, 5]),
            nps=rng.randint(5, 10),
            answered_at=ticket.resolved_at + timedelta(hours=rng.randint(2, 30)),
        )  # fmt: skip
        for ticket in tickets_made
        if rng.random() < 0.55 and ticket.resolved_at + timedelta(hours=30) < now
    ]
    answered = [answer.answered_at for answer in answers]
    SatisfactionSurvey.objects.bulk_create(answers, batch_size=500)
    for answer, when in zip(answers, answered, strict=True):
        answer.answered_at = when  # bulk_create stamped "now" (auto_now_add)
    SatisfactionSurvey.objects.bulk_update(answers, ["answered_at"], batch_size=500)


def _tickets(queue, agent):
    rng = random.Random(11)
    customers = list(Customer.objects.order_by("pk")[:24])
    articles = list(Article.objects.filter(help_module="", status=Article.Status.PUBLISHED))
    for n, customer in enumerate(customers):
        kind, subject = SUBJECTS[n % len(SUBJECTS)]
        ticket = tickets.ticket_create(
            actor=agent,
            customer=customer,
            queue=queue,
            contact=customer.contacts.first(),
            data={
                "subject": subject,
                "description": subject,
                "type": kind,
                "channel": rng.choice(Ticket.Channel.values),
                "priority": rng.choice(Ticket.Priority.values),
            },
        )
        if n % 3 == 0:
            tickets.ticket_comment_add(actor=agent, ticket=ticket, body="已收到，我们正在处理。", is_public=True)
        if articles and n % 4 == 0:
            tickets.ticket_link_article(actor=agent, ticket=ticket, article=rng.choice(articles))
        for status in PATHS[n % len(PATHS)]:
            ticket = tickets.ticket_transition(actor=agent, ticket=ticket, to_status=status)
        if ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED) and n % 2 == 0:
            survey = surveys.survey_answer(
                ticket=ticket, score=rng.choice([1, 3, 4, 5, 5]), nps=rng.randint(0, 10), comment=""
            )
            # Spread answers over the last months so the satisfaction trend has a shape.
            SatisfactionSurvey.objects.filter(pk=survey.pk).update(
                answered_at=timezone.now() - timedelta(days=rng.randint(0, 150))
            )
    # Spread the tickets over the last weeks: the opening and its deadlines move further back than the
    # answers, so the statistics show real response times and some deadlines missed.
    opening = ["created_at", "response_due_at", "response_warn_at", "resolution_due_at", "resolution_warn_at"]
    answers = ["first_responded_at", "resolved_at", "closed_at"]
    for pk in Ticket.objects.filter(queue=queue).order_by("pk").values_list("pk", flat=True):
        shift = timedelta(days=rng.randint(0, 60))
        took = timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
        changes = {name: F(name) - shift - took for name in opening} | {name: F(name) - shift for name in answers}
        Ticket.objects.filter(pk=pk).update(**changes)
