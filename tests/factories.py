from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from accounts.models import Team, User
from customers.models import Communication, Contact, Customer, FollowUpTask, Tag
from customers.search_text import search_document


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.TEAM


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


def rep(**kwargs):
    return UserFactory(role=roles.SALES_REP, **kwargs)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"tag-{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    """Creates rows directly; tests of the write paths go through the services instead."""

    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n} Ltd.")
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda c: c.owner.team)
    phone = "021-68888888"
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    search_document = factory.LazyAttribute(lambda c: search_document(c, []))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    mobile = "13800138000"


class CommunicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Communication

    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda c: c.customer.owner)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    subject = factory.Sequence(lambda n: f"Call {n}")


class FollowUpTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpTask

    customer = factory.SubFactory(CustomerFactory)
    assignee = factory.LazyAttribute(lambda t: t.customer.owner)
    title = factory.Sequence(lambda n: f"Follow up {n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
