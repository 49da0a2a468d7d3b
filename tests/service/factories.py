import factory

from service.models import Article, Queue, SlaPolicy, Ticket
from tests.factories import CustomerFactory


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Queue {n}")

    @factory.post_generation
    def agents(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy
        django_get_or_create = ["priority"]

    priority = Ticket.Priority.NORMAL
    first_response_minutes = 60
    resolution_minutes = 8 * 60
    business_hours = False
    warning_percent = 75


class TicketFactory(factory.django.DjangoModelFactory):
    """Creates rows directly; tests of the write paths go through the services instead."""

    class Meta:
        model = Ticket

    subject = factory.Sequence(lambda n: f"Printer jams {n}")
    description = "It jams on every second page."
    customer = factory.SubFactory(CustomerFactory)
    queue = factory.SubFactory(QueueFactory)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"How to reset the router {n}")
    body = "Hold the reset button for ten seconds."
    status = Article.Status.PUBLISHED
