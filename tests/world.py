"""A small company made with factories: one user per role and a record of every kind they work with.

The crawl and the browser journeys start from it (``seed_demo`` is far slower and is tested on its own).
Every user's password is ``PASSWORD``.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts import roles
from customers.models import Customer
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    FollowUpTaskFactory,
    TeamFactory,
    UserFactory,
)
from tests.marketing.factories import CampaignFactory, EventFactory, RegistrationFactory
from tests.reports.factories import SavedReportFactory
from tests.sales.factories import (
    ContractFactory,
    LeadFactory,
    OpportunityFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)
from tests.service.factories import ArticleFactory, QueueFactory, TicketFactory

PASSWORD = "secret-pass-123"  # noqa: S105 - the factories' test password
# username, first name, last name, role, team key
PEOPLE = [
    ("rep", "伟", "张", roles.SALES_REP, "east"),
    ("manager", "娜", "李", roles.SALES_MANAGER, "east"),
    ("marketing", "芳", "刘", roles.MARKETING, "marketing"),
    ("service", "David", "Wu", roles.SERVICE_AGENT, "service"),
    ("executive", "建国", "赵", roles.EXECUTIVE, None),
    ("admin", "Admin", "", roles.ADMINISTRATOR, None),
]
ROLES = [username for username, *_rest in PEOPLE]


@dataclass
class World:
    users: dict
    teams: dict
    records: dict = field(default_factory=dict)


def build_world(*, language="") -> World:
    company = TeamFactory(name="演示公司")
    teams = {
        "east": TeamFactory(name="华东销售部", parent=company),
        "marketing": TeamFactory(name="市场部", parent=company),
        "service": TeamFactory(name="客户服务部", parent=company),
    }
    users = {}
    for username, first, last, role, team in PEOPLE:
        users[username] = UserFactory(
            username=username, first_name=first, last_name=last, role=role, team=teams.get(team),
            is_staff=role == roles.ADMINISTRATOR, is_superuser=role == roles.ADMINISTRATOR, language=language,
        )  # fmt: skip
    teams["east"].manager = users["manager"]
    teams["east"].save()
    rep = users["rep"]
    customer = CustomerFactory(
        name="杭州云杉智能科技有限公司", owner=rep, source=Customer.Source.WEBSITE, industry=Customer.Industry.IT
    )
    contact = ContactFactory(customer=customer, name="陈静", email="chenjing@example.cn")
    CommunicationFactory(customer=customer, contact=contact, subject="电话回访")
    FollowUpTaskFactory(customer=customer, title="发送报价", due_at=timezone.now() + timedelta(days=1))
    product = ProductFactory(name="机架服务器 R740", price=Decimal("45800.00"))
    lead = LeadFactory(owner=rep, name="刘海燕", company="成都蓝海软件有限公司", source="website")
    deal = OpportunityFactory(customer=customer, name="云杉 扩容项目", amount=Decimal("180000"))
    order = OrderFactory(customer=customer, opportunity=deal)
    OrderLineFactory(order=order, product=product, unit_price=product.price, line_total=product.price)
    contract = ContractFactory(customer=customer, title="云杉 采购合同")
    queue = QueueFactory(name="客户服务", team=teams["service"], agents=[users["service"]], accepts_web=True)
    ticket = TicketFactory(queue=queue, customer=customer, subject="打印机频繁卡纸", assignee=users["service"])
    article = ArticleFactory(title="打印机卡纸怎么办？")
    campaign = CampaignFactory(name="秋季新品发布会", owner=users["marketing"])
    event = EventFactory(campaign=campaign, theme="秋季新品发布会 · 上海站")
    RegistrationFactory(event=event, name="王伟")
    report = SavedReportFactory(
        owner=users["manager"], name="销售机会按阶段", dataset="opportunities",
        definition={"group_by": [{"field": "stage"}], "aggregates": [{"func": "count"}], "chart": "bar"},
    )  # fmt: skip
    world = World(users=users, teams=teams)
    world.records.update(
        customer=customer, contact=contact, lead=lead, deal=deal, order=order, contract=contract, ticket=ticket,
        queue=queue, article=article, campaign=campaign, event=event, report=report, product=product,
    )  # fmt: skip
    return world
