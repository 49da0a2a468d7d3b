"""Demo sales data: products, leads, opportunities across the board, orders, contracts and targets.

Made through the services (so history, stock and audit are real) and skipped when already there.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Team, User
from crm import seasons
from customers.models import Customer
from marketing.models import Campaign

from .analytics import add_months, month_start
from .models import (
    Contract,
    ExchangeRate,
    Lead,
    Opportunity,
    Order,
    OrderLine,
    Pipeline,
    Product,
    ProductCategory,
    SalesTarget,
)
from .money import round_money
from .services import contracts, leads, opportunities, orders
from .services.products import product_create

CATALOGUE = [
    ("硬件", "服务器", [
        ("SRV-R740", "机架服务器 R740", "台", "45800.00", 20),
        ("SRV-T440", "塔式服务器 T440", "台", "18600.00", 12),
    ]),
    ("硬件", "网络设备", [
        ("NET-SW48", "48 口千兆交换机", "台", "6200.00", 35),
        ("NET-FW100", "下一代防火墙", "台", "23800.00", 6),
    ]),
    ("软件", "订阅", [
        ("SaaS-CRM-Y", "CRM 年度订阅（每用户）", "用户/年", "1200.00", 100000),
        ("SaaS-BI-Y", "BI 分析年度订阅", "套/年", "36000.00", 100000),
    ]),
    ("服务", "实施", [
        ("SVC-IMPL-D", "实施服务（人天）", "人天", "2400.00", 100000),
        ("SVC-TRAIN", "现场培训", "场", "8000.00", 100000),
    ]),
]  # fmt: skip
LEAD_PEOPLE = [
    ("陈晓东", "苏州瑞丰电子有限公司", "13812340001"), ("刘海燕", "成都蓝海软件有限公司", "13812340002"),
    ("Kevin Clark", "Globex Logistics Ltd.", "13812340003"), ("周志强", "武汉鼎盛新能源股份有限公司", "13812340004"),
    ("Grace Lewis", "Initech Systems Inc.", "13812340005"), ("杨春梅", "天津众合医疗器械有限公司", "13812340006"),
    ("黄建华", "南京博源教育咨询有限公司", "13812340007"), ("吴静", "西安天成食品有限公司", "13812340008"),
]  # fmt: skip


def _products(actor):
    made = []
    for parent_name, child_name, items in CATALOGUE:
        parent, _ = ProductCategory.objects.get_or_create(name=parent_name, parent=None)
        child, _ = ProductCategory.objects.get_or_create(name=child_name, parent=parent)
        for sku, name, unit, price, stock in items:
            product = Product.objects.filter(sku=sku).first() or product_create(
                actor=actor,
                data={"sku": sku, "name": name, "unit": unit, "price": Decimal(price), "stock_on_hand": stock,
                      "category": child},
            )  # fmt: skip
            made.append(product)
    return made


def seed(context):
    if Opportunity.objects.filter(name__startswith="[演示]").exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["rep", "rep2", "rep3", "manager", "admin"])}
    if "manager" not in users:
        return
    rng = random.Random(11)
    manager = users["manager"]
    reps = [users[name] for name in ("rep", "rep2", "rep3") if name in users] or [manager]
    today = timezone.localdate()
    ExchangeRate.objects.get_or_create(
        currency="USD", date=today - timedelta(days=30), defaults={"rate": Decimal("7.18")}
    )
    ExchangeRate.objects.get_or_create(
        currency="EUR", date=today - timedelta(days=30), defaults={"rate": Decimal("7.82")}
    )
    products = _products(users.get("admin", manager))
    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(pipeline.stages.order_by("order"))
    open_stages = [s for s in stages if not s.is_closed]

    for name, company, phone in LEAD_PEOPLE[:5]:
        owner = rng.choice(reps)
        leads.lead_create(actor=owner, data={"name": name, "company": company, "phone": phone, "source": "website"})
    for name, company, phone in LEAD_PEOPLE[5:]:
        leads.lead_create(actor=manager, data={"name": name, "company": company, "phone": phone, "source": "event"},
                          owner=False)  # fmt: skip
    stale = Lead.objects.order_by("pk").first()
    Lead.objects.filter(pk=stale.pk).update(touched_at=timezone.now() - timedelta(days=12))

    for rep in reps:
        customers = list(Customer.objects.filter(owner=rep).order_by("pk")[:8])
        for index, customer in enumerate(customers):
            stage = open_stages[index % len(open_stages)]
            deal = opportunities.opportunity_create(
                actor=rep,
                data={
                    "name": f"[演示] {customer.name} {rng.choice(['扩容项目', '年度采购', '系统升级', 'Renewal'])}",
                    "customer": customer, "amount": Decimal(rng.randrange(20, 400) * 1000),
                    "currency": "USD" if index == 5 else "CNY",
                    "expected_close_date": today + timedelta(days=rng.randrange(5, 150)),
                    "next_step": rng.choice(["电话回访", "发送报价", "安排演示", "商务谈判"]),
                },
                stage=stage,
            )  # fmt: skip
            product = rng.choice(products)
            opportunities.opportunity_line_add(actor=rep, opportunity=deal, product=product,
                                               quantity=rng.randrange(1, 5), unit_price=product.price)  # fmt: skip
            if index in (6, 7):
                won = index == 6
                opportunities.opportunity_close(actor=rep, opportunity=deal, won=won,
                                                reason="价格与服务最优" if won else "预算取消")  # fmt: skip
                if won:
                    order = orders.order_create(
                        actor=rep, data={"customer": customer, "opportunity": deal, "ordered_on": today,
                                         "currency": "CNY"},
                        lines=[{"product": product, "quantity": 1, "discount_percent": Decimal("5")}],
                    )  # fmt: skip
                    orders.order_confirm(actor=rep, order=order)
                    contract = contracts.contract_create(
                        actor=rep,
                        data={"title": f"{customer.name} 采购合同", "customer": customer, "order": order,
                              "start_date": today - timedelta(days=335), "end_date": today + timedelta(days=25),
                              "amount": order.total, "currency": "CNY"},
                    )  # fmt: skip
                    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.ACTIVE)
        SalesTarget.objects.get_or_create(
            user=rep, period=SalesTarget.Period.MONTH, period_start=month_start(today),
            defaults={"amount": Decimal("500000")},
        )  # fmt: skip
    team = Team.objects.filter(pk=manager.team_id).first()
    if team is not None:
        for offset in range(3):
            SalesTarget.objects.get_or_create(
                team=team, period=SalesTarget.Period.MONTH, period_start=add_months(month_start(today), offset),
                defaults={"amount": Decimal("1500000")},
            )  # fmt: skip
    _seed_history(rng, reps, products, pipeline, team)
    context["stdout"].write("Sales demo: products, leads, opportunities, orders, contracts, targets and a past.")


DEAL_KINDS = ["扩容项目", "年度采购", "系统升级", "Renewal", "新建机房", "培训服务", "Expansion"]
LOST_REASONS = ["价格偏高", "选择了竞争对手", "预算取消", "Project postponed"]


def _seed_history(rng, reps, products, pipeline, team):
    """Deals of the last months, won and lost, with the orders of the won ones, and the targets they were
    set against: bulk inserts (a few queries), so the dashboards, forecast and performance have a past.

    Some deals came from the past campaigns, so the campaigns show their return.
    """
    now = timezone.now()
    won_stage = pipeline.stages.filter(is_won=True).order_by("order").first()
    lost_stage = pipeline.stages.filter(is_lost=True).order_by("order").first()
    customers = list(Customer.objects.filter(owner__in=reps).order_by("pk"))
    campaigns = list(Campaign.objects.filter(start_date__isnull=False).order_by("start_date"))
    if not customers or won_stage is None or lost_stage is None:
        return
    deals, created, lines = [], [], []
    for when in seasons.moments(rng, 150, months=seasons.HISTORY_MONTHS - 1):
        customer = rng.choice(customers)
        took = timedelta(days=rng.randint(10, 80))
        closed = when + took
        if closed >= now:
            continue
        won = rng.random() < 0.42 + 0.1 * (seasons.MONTH_WEIGHTS[timezone.localtime(closed).month] > 1)
        product = rng.choice(products)
        quantity = rng.randint(1, 12)
        amount = round_money(product.price * quantity * Decimal(rng.choice(["1", "1", "0.95", "0.9"])))
        campaign = next((c for c in reversed(campaigns) if c.start_date <= when.date()), None)
        deals.append(
            Opportunity(
                owner=customer.owner,
                team=customer.owner.team,
                created_by=customer.owner,
                name=f"[演示] {customer.name} {rng.choice(DEAL_KINDS)}",
                customer=customer,
                pipeline=pipeline,
                stage=won_stage if won else lost_stage,
                status=Opportunity.Status.WON if won else Opportunity.Status.LOST,
                amount=amount,
                currency="CNY",
                expected_close_date=closed.date(),
                closed_at=closed,
                stage_entered_at=closed,
                close_reason="" if won else rng.choice(LOST_REASONS),
                campaign=campaign if campaign and rng.random() < 0.25 else None,
            )  # fmt: skip
        )
        created.append(when)
        lines.append((product, quantity))
    Opportunity.objects.bulk_create(deals, batch_size=500)
    for deal, when in zip(deals, created, strict=True):
        deal.created_at = when
    Opportunity.objects.bulk_update(deals, ["created_at"], batch_size=500)
    orders, order_lines = [], []
    for n, (deal, (product, quantity)) in enumerate(zip(deals, lines, strict=True)):
        if deal.status != Opportunity.Status.WON:
            continue
        day = timezone.localtime(deal.closed_at).date()
        orders.append(
            Order(
                owner=deal.owner,
                team=deal.team,
                created_by=deal.owner,
                number=f"SO{day:%Y%m%d}H{n:04d}",
                customer=deal.customer,
                opportunity=deal,
                status=Order.Status.COMPLETED,
                ordered_on=day,
                currency="CNY",
                subtotal=deal.amount,
                discount_total=Decimal("0"),
                total=deal.amount,
                confirmed_at=deal.closed_at,
            )  # fmt: skip
        )
        order_lines.append(
            OrderLine(
                product=product,
                description=product.name,
                quantity=quantity,
                unit_price=round_money(deal.amount / quantity),
                line_total=deal.amount,
            )  # fmt: skip
        )
    Order.objects.bulk_create(orders, batch_size=500)
    for order, line in zip(orders, order_lines, strict=True):
        order.created_at = order.confirmed_at
        line.order = order
    Order.objects.bulk_update(orders, ["created_at"], batch_size=500)
    OrderLine.objects.bulk_create(order_lines, batch_size=500)
    # The targets the past was measured against: the team's each month, a little above what it won.
    if team is not None:
        today = timezone.localdate()
        for offset in range(-(seasons.HISTORY_MONTHS - 1), 0):
            month = add_months(month_start(today), offset)
            SalesTarget.objects.get_or_create(
                team=team, period=SalesTarget.Period.MONTH, period_start=month,
                defaults={"amount": Decimal(1_000_000 + 50_000 * (offset + seasons.HISTORY_MONTHS))},
            )  # fmt: skip
