from django.contrib.auth import get_user_model
from django.db.models import Q

from crm.scope import Scope


def assignable_users(*, user, module: str):
    """Users that ``user`` may make the owner of a record in ``module``: within their own scope."""
    User = get_user_model()
    users = User.objects.filter(is_active=True).select_related("team")
    scope = user.record_scope(module)
    if scope == Scope.ALL:
        return users
    if scope == Scope.TEAM:
        return users.filter(Q(team_id__in=user.scope_team_ids()) | Q(pk=user.pk))
    return users.filter(pk=user.pk)
