import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import RoleScope
from crm.scope import Module, Scope
from tests.factories import UserFactory


@pytest.fixture
def own_marketer(team):
    """A marketer who sees only their own marketing records: every marketing permission, scope own."""
    group, _ = Group.objects.get_or_create(name="Marketing (own records)")
    group.permissions.set(Permission.objects.filter(content_type__app_label="marketing"))
    RoleScope.objects.update_or_create(group=group, module=Module.MARKETING, defaults={"scope": Scope.OWN})
    RoleScope.objects.update_or_create(group=group, module=Module.CUSTOMERS, defaults={"scope": Scope.OWN})
    return UserFactory(username="olga", role=group.name, team=team)
