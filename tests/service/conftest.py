import pytest

from accounts import roles
from tests.factories import CustomerFactory, TeamFactory, UserFactory

from .factories import QueueFactory


@pytest.fixture
def service_team(db):
    return TeamFactory(name="Service desk")


@pytest.fixture
def agent(service_team):
    return UserFactory(username="agnes", role=roles.SERVICE_AGENT, team=service_team)


@pytest.fixture
def agent2(service_team):
    return UserFactory(username="arthur", role=roles.SERVICE_AGENT, team=service_team)


@pytest.fixture
def outsider_agent(db):
    return UserFactory(username="olga", role=roles.SERVICE_AGENT)


@pytest.fixture
def queue_manager(service_team):
    return UserFactory(username="quentin", role=roles.SALES_MANAGER, team=service_team)


@pytest.fixture
def queue(agent, agent2, queue_manager, service_team):
    return QueueFactory(name="Support", agents=[agent, agent2], manager=queue_manager, accepts_web=True)


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Northwind Trading", email="info@northwind.example", phone="021-68881234")
