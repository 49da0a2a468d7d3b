"""Record scope is decided in one place (crm/scope.py): the system actor of jobs sees everything, and every
reader that narrows rows another way than ``visible_to`` (summary tables, targets, owner and team choices)
agrees with ``visible_to``."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.selectors import assignable_users
from crm.scope import SYSTEM, Module, narrow, scope_condition, visible_teams, visible_users
from customers.models import Customer
from reports import summaries
from reports.selectors import filter_teams
from sales.models import Opportunity, SalesTarget
from sales.selectors import targets_visible_to
from service.models import Ticket
from tests.factories import CustomerFactory
from tests.sales.factories import OpportunityFactory
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db

NO_FILTERS = SimpleNamespace(owner=None, team=None)


@pytest.fixture
def people(rep_user, other_rep, far_rep, manager, executive):
    return {"rep": rep_user, "manager": manager, "executive": executive, "all": [rep_user, other_rep, far_rep, manager]}


@pytest.fixture
def one_customer_each(people):
    """A customer owned by each user, in that user's team."""
    return [CustomerFactory(owner=user, team=user.team) for user in people["all"]]


def test_system_actor_sees_every_record(one_customer_each, people):
    OpportunityFactory(owner=people["rep"], customer=one_customer_each[0])
    TicketFactory(customer=one_customer_each[2])
    assert Customer.objects.visible_to(SYSTEM).count() == Customer.objects.count() == 4
    assert Opportunity.objects.visible_to(SYSTEM).count() == 1
    assert Ticket.objects.visible_to(SYSTEM).count() == 1
    assert scope_condition(SYSTEM, Module.CUSTOMERS) is None
    assert set(visible_users(SYSTEM, Module.SALES)) == set(people["all"]) | {people["executive"]}


def test_system_actor_is_not_a_user_and_owns_nothing():
    assert SYSTEM.pk is None
    assert not SYSTEM.is_superuser


def test_anonymous_user_sees_nothing_through_every_reader(one_customer_each):
    anonymous = AnonymousUser()
    assert not Customer.objects.visible_to(anonymous).exists()
    assert not narrow(Customer.objects.all(), anonymous, Module.CUSTOMERS).exists()
    assert not visible_users(anonymous, Module.CUSTOMERS).exists()
    assert not visible_teams(anonymous, Module.CUSTOMERS).exists()


@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_summary_scope_agrees_with_visible_to(one_customer_each, people, role):
    user = people[role]
    # The summaries narrow plain owner/team id columns; customers carry the same columns.
    summarised = summaries.scoped(Customer.objects.all(), user, NO_FILTERS, Module.CUSTOMERS)
    assert set(summarised) == set(Customer.objects.visible_to(user))


@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_assignable_owners_are_the_owners_whose_records_are_visible(one_customer_each, people, role):
    user = people[role]
    visible_owners = {customer.owner for customer in Customer.objects.visible_to(user)}
    assert set(assignable_users(user=user, module=Module.CUSTOMERS)) - {people["executive"]} == visible_owners


@pytest.mark.parametrize("role", ["manager", "executive"])
def test_dashboard_team_filter_offers_the_teams_of_visible_records(one_customer_each, people, role):
    user = people[role]
    visible = {customer.team for customer in Customer.objects.visible_to(user)}
    assert set(filter_teams(user=user)) == visible


def test_rep_team_filter_offers_only_their_own_team(one_customer_each, people):
    assert list(filter_teams(user=people["rep"])) == [people["rep"].team]


@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_targets_follow_the_scope_of_their_user_or_team(people, role):
    user = people[role]
    start = date(2026, 1, 1)
    for person in people["all"]:
        SalesTarget.objects.create(user=person, period="month", period_start=start, amount=Decimal("1000"))
    for team in {person.team for person in people["all"]}:
        SalesTarget.objects.create(team=team, period="month", period_start=start, amount=Decimal("1000"))
    scope = user.record_scope(Module.SALES)
    visible_owners = set(visible_users(user, Module.SALES))
    teams_seen = {team.pk for team in visible_teams(user, Module.SALES)} if scope != "own" else set()
    expected = {
        target
        for target in SalesTarget.objects.all()
        if (target.user in visible_owners if target.user_id else target.team_id in teams_seen)
    }
    assert set(targets_visible_to(user=user)) == expected
