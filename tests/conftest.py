import pytest

from accounts import roles

from .factories import TeamFactory, UserFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="East")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="West")


@pytest.fixture
def rep_user(team):
    return UserFactory(username="alice", role=roles.SALES_REP, team=team)


@pytest.fixture
def other_rep(team):
    return UserFactory(username="bob", role=roles.SALES_REP, team=team)


@pytest.fixture
def far_rep(other_team):
    return UserFactory(username="carol", role=roles.SALES_REP, team=other_team)


@pytest.fixture
def manager(team):
    user = UserFactory(username="mona", role=roles.SALES_MANAGER, team=team)
    team.manager = user
    team.save()
    return user


@pytest.fixture
def executive(db):
    return UserFactory(username="eve", role=roles.EXECUTIVE)


@pytest.fixture
def marketer(db):
    return UserFactory(username="mark", role=roles.MARKETING)


@pytest.fixture
def client_for(client):
    """Log the test client in as a user: ``client_for(user)``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def object_store():
    """An S3-compatible server (moto in server mode) for the session; each test takes a bucket of its own."""
    from .object_store import start_server

    server, store = start_server()
    yield store
    server.stop()
