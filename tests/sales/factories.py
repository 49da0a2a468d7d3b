from datetime import timedelta

import factory
from django.utils import timezone

from sales.models import Contract, Lead, Opportunity, Order, OrderLine, Pipeline, Product, Stage
from tests.factories import CustomerFactory, UserFactory


def default_pipeline():
    return Pipeline.objects.get(is_default=True)


def open_stages(pipeline=None):
    pipeline = pipeline or default_pipeline()
    return list(pipeline.stages.filter(is_won=False, is_lost=False).order_by("order"))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    price = 100
    stock_on_hand = 10


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"Lead {n}")
    company = factory.Sequence(lambda n: f"Prospect {n} Ltd.")
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda lead: lead.owner.team if lead.owner else None)
    touched_at = factory.LazyFunction(timezone.now)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Deal {n}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda o: o.customer.owner)
    team = factory.LazyAttribute(lambda o: o.owner.team)
    pipeline = factory.LazyFunction(default_pipeline)
    stage = factory.LazyAttribute(lambda o: open_stages(o.pipeline)[0])
    amount = 1000
    expected_close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))
    stage_entered_at = factory.LazyFunction(timezone.now)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda o: o.customer.owner)
    team = factory.LazyAttribute(lambda o: o.owner.team)
    ordered_on = factory.LazyFunction(timezone.localdate)
    number = factory.Sequence(lambda n: f"SO-T{n:06d}")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = 100
    line_total = 100


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"HT-T{n:05d}")
    title = factory.Sequence(lambda n: f"Contract {n}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda c: c.customer.owner)
    team = factory.LazyAttribute(lambda c: c.owner.team)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=300))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    amount = 5000
    status = Contract.Status.ACTIVE


__all__ = ["Stage"]
