"""A user's permissions, role scopes and team tree are kept between requests (accounts.authorization), and every
committed change to any of their sources is honoured on the very next request — through Django, a bulk
``UPDATE`` or raw SQL — while a rolled-back change never is.

These tests commit (``transaction=True``): inside a test's transaction the cache is not used at all.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import authorization, roles
from accounts.models import RoleScope, Team, User
from crm.scope import Scope
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIST = "customers:customer-list"


@pytest.fixture(autouse=True)
def _empty_process_cache():
    authorization.forget()
    yield
    authorization.forget()


@pytest.fixture
def world():
    east, west = TeamFactory(name="East"), TeamFactory(name="West")
    manager = UserFactory(username="mona", role=roles.SALES_MANAGER, team=east)
    Team.objects.filter(pk=east.pk).update(manager=manager)
    east_rep = UserFactory(username="alice", role=roles.SALES_REP, team=east)
    west_rep = UserFactory(username="carol", role=roles.SALES_REP, team=west)
    return {
        "manager": manager,
        "west": west,
        "own": CustomerFactory(name="Own Ltd.", owner=manager),
        "east": CustomerFactory(name="East Ltd.", owner=east_rep),
        "west_customer": CustomerFactory(name="West Ltd.", owner=west_rep),
    }


def _names(client):
    response = client.get(reverse(LIST))
    if response.status_code != 200:
        return response.status_code
    return sorted(row["name"] for row in response.context["page"])


def _warm(client):
    """Two requests: the first reads and keeps the user's authorization, the second is served from it."""
    first = _names(client)
    assert _names(client) == first
    return first


def _view_customer():
    return Permission.objects.get(content_type__app_label="customers", codename="view_customer")


def test_a_repeated_request_reads_authorization_with_one_query_instead_of_four(client, world, settings):
    client.force_login(world["manager"])
    _warm(client)
    with CaptureQueriesContext(connection) as cached:
        client.get(reverse(LIST))
    settings.AUTHORIZATION_CACHE_USERS = 0
    with CaptureQueriesContext(connection) as uncached:
        client.get(reverse(LIST))
    sql = [query["sql"] for query in cached.captured_queries]
    assert len(uncached) - len(cached) == 3
    assert sum("accounts_authorization_generation" in text for text in sql) == 1
    assert not any('"auth_permission"' in text or '"accounts_rolescope"' in text for text in sql)
    assert not any('FROM "accounts_team"' in text for text in sql)


def test_a_revoked_group_permission_is_honoured_on_the_next_request(client, world):
    client.force_login(world["manager"])
    _warm(client)
    Group.objects.get(name=roles.SALES_MANAGER).permissions.remove(_view_customer())
    assert _names(client) == 403


def test_a_permission_deleted_by_raw_sql_is_honoured_on_the_next_request(client, world):
    client.force_login(world["manager"])
    _warm(client)
    group = Group.objects.get(name=roles.SALES_MANAGER)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Group.permissions.through._meta.db_table} WHERE group_id = %s AND permission_id = %s",  # noqa: S608 - a model's table name
            [group.pk, _view_customer().pk],
        )
    assert _names(client) == 403


def test_leaving_a_role_is_honoured_on_the_next_request(client, world):
    client.force_login(world["manager"])
    _warm(client)
    world["manager"].groups.clear()
    assert _names(client) == 403


def test_a_role_granted_by_a_bulk_insert_is_honoured_on_the_next_request(client, world):
    user = UserFactory(username="nobody", team=world["west"])
    client.force_login(user)
    assert _warm(client) == 403
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=Group.objects.get(name=roles.SALES_REP).pk)]
    )
    assert _names(client) == []


def test_a_direct_user_permission_is_honoured_on_the_next_request(client, world):
    user = UserFactory(username="nobody")
    client.force_login(user)
    assert _warm(client) == 403
    user.user_permissions.add(_view_customer())
    assert _names(client) == []
    User.user_permissions.through.objects.filter(user_id=user.pk).delete()
    assert _names(client) == 403


def test_a_role_scope_changed_by_queryset_update_is_honoured_on_the_next_request(client, world):
    client.force_login(world["manager"])
    assert _warm(client) == ["East Ltd.", "Own Ltd."]
    group = Group.objects.get(name=roles.SALES_MANAGER)
    RoleScope.objects.filter(group=group, module="customers").update(scope=Scope.OWN)
    assert _names(client) == ["Own Ltd."]
    RoleScope.objects.filter(group=group, module="customers").update(scope=Scope.ALL)
    assert _names(client) == ["East Ltd.", "Own Ltd.", "West Ltd."]
    RoleScope.objects.filter(group=group, module="customers").delete()  # no row: own records
    assert _names(client) == ["Own Ltd."]


def test_a_changed_team_tree_is_honoured_on_the_next_request(client, world):
    client.force_login(world["manager"])
    assert _warm(client) == ["East Ltd.", "Own Ltd."]
    east = world["manager"].team
    Team.objects.filter(pk=world["west"].pk).update(parent=east)
    assert _names(client) == ["East Ltd.", "Own Ltd.", "West Ltd."]
    Team.objects.filter(pk=world["west"].pk).update(parent=None)
    assert _names(client) == ["East Ltd.", "Own Ltd."]
    Team.objects.filter(pk=world["west"].pk).update(manager=world["manager"])
    assert _names(client) == ["East Ltd.", "Own Ltd.", "West Ltd."]


def test_moving_the_user_to_another_team_is_honoured_on_the_next_request(client, world):
    client.force_login(world["manager"])
    assert _warm(client) == ["East Ltd.", "Own Ltd."]
    Team.objects.filter(manager=world["manager"]).update(manager=None)
    User.objects.filter(pk=world["manager"].pk).update(team=world["west"])
    assert _names(client) == ["Own Ltd.", "West Ltd."]


def test_superuser_flag_and_deactivation_by_update_are_honoured_on_the_next_request(client, world):
    client.force_login(world["manager"])
    _warm(client)
    User.objects.filter(pk=world["manager"].pk).update(is_superuser=True)
    assert _names(client) == ["East Ltd.", "Own Ltd.", "West Ltd."]
    User.objects.filter(pk=world["manager"].pk).update(is_superuser=False)
    assert _names(client) == ["East Ltd.", "Own Ltd."]
    User.objects.filter(pk=world["manager"].pk).update(is_active=False)
    assert client.get(reverse(LIST)).status_code in (302, 403)  # signed out


def test_a_rolled_back_change_is_never_served_even_when_a_later_commit_reaches_its_generation(client, world):
    client.force_login(world["manager"])
    _warm(client)
    group = Group.objects.get(name=roles.SALES_MANAGER)
    # given a change that a request saw inside its transaction, then rolled back
    with pytest.raises(RuntimeError), transaction.atomic():
        group.permissions.remove(_view_customer())
        assert _names(client) == 403
        rolled_back = authorization.generation()
        raise RuntimeError
    # when a different change is committed, bringing the counter to the number the rolled-back change had
    RoleScope.objects.filter(group=group, module="customers").update(scope=Scope.ALL)
    assert authorization.generation() == rolled_back
    # then the next request has the permission again, and the committed change
    assert _names(client) == ["East Ltd.", "Own Ltd.", "West Ltd."]


def test_the_generation_moves_on_only_at_commit(world):
    before = authorization.generation()
    with transaction.atomic():
        RoleScope.objects.update(scope=Scope.OWN)
        inside = authorization.generation()
        from django.db import connections

        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT coalesce(sum(n), 0) FROM accounts_authorization_generation")
                seen_elsewhere = cursor.fetchone()[0]
        finally:
            other.close()
    assert inside > before
    assert seen_elsewhere == before
    assert authorization.generation() == inside


def test_names_and_last_sign_in_do_not_move_the_generation(world):
    before = authorization.generation()
    User.objects.filter(pk=world["manager"].pk).update(first_name="Mona", last_login=None)
    Team.objects.filter(pk=world["west"].pk).update(name="West coast")
    assert authorization.generation() == before
