"""Record scope: the one place that decides which business records a user may see.

Every list, detail, edit, delete, search, export, report and job that acts for a user starts from
``Model.objects.visible_to(user)``. A model opts in by using :class:`ScopedQuerySet` as its
manager and naming the module whose scope applies and the fields that hold owner and team. A
child record (a contact, a communication) names its parent instead and inherits the parent's
visibility.

Everything that decides visibility lives here: :func:`scope_condition` is the one rule (owner, team,
all), and :meth:`ScopedQuerySet.visible_to`, :func:`narrow` (summary tables and other rows keyed by
plain owner/team columns), :func:`visible_users` and :func:`visible_teams` (choices of owner and
team filters) all apply it. Background jobs and public pages that must match against every record act
as :data:`SYSTEM`, the one explicit see-everything actor, never as a stand-in user.

This module imports no app: it asks the user object for its scope (``user.record_scope(module)``
and ``user.scope_team_ids()``), which the custom user model provides.
"""

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import BooleanField, Expression, F, Q, Subquery
from django.db.models.sql.where import AND, OR, WhereNode
from django.utils.translation import gettext_lazy as _

from crm.ordering import unique_ordering


class Scope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Team records")
    ALL = "all", _("All records")


# Wider scope wins when a user holds several roles.
SCOPE_RANK = {Scope.OWN: 0, Scope.TEAM: 1, Scope.ALL: 2}


class Module(models.TextChoices):
    """The parts of the CRM: the behaviour log names one on every entry; the first five hold records that a
    role's scope covers (:data:`RECORD_MODULES`)."""

    CUSTOMERS = "customers", _("Customers")
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    SERVICE = "service", _("Service")
    REPORTS = "reports", _("Reports")
    ACCOUNTS = "accounts", _("Accounts")
    API = "api", _("API")
    SECURITY = "security", _("Security")


# The modules a role's record scope is set for (the choices of accounts.RoleScope.module).
RECORD_MODULES = [(m.value, m.label) for m in (Module.CUSTOMERS, Module.SALES, Module.MARKETING, Module.SERVICE,
                                              Module.REPORTS)]  # fmt: skip


class _SystemActor:
    """The actor of background jobs and public pages that match against every record (a saved-filter
    group evaluated by the care job, a public form looking up the customer behind an e-mail address).

    It is not a user: it has no primary key, cannot sign in, and is never an owner or an audit actor."""

    pk = None
    team_id = None
    is_authenticated = True
    is_active = True
    is_superuser = False

    def record_scope(self, module):
        return Scope.ALL

    def scope_team_ids(self):
        return []

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _SystemActor()


def is_active_actor(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def scope_condition(user, module, *, owner="owner", team="team"):
    """The condition on a model's owner and team fields that leaves what ``user`` may see in ``module``.

    ``None`` means everything (the ALL scope); an inactive or anonymous user sees nothing. ``team`` may
    name several fields (a target belongs to a user or to a team): a record matches on any of them.
    """
    if not is_active_actor(user):
        return Q(pk__in=[])
    parts = _scope_parts(user, module, owner=owner, team=team)
    if parts is None:
        return None
    condition = Q()
    for part in parts:
        condition |= part
    return condition


def _scope_parts(user, module, *, owner, team):
    """The conditions whose OR is :func:`scope_condition` (an active user), or ``None`` for everything."""
    scope = user.record_scope(module)
    if scope == Scope.ALL:
        return None
    parts = [Q(**{owner: user.pk})]
    if scope == Scope.TEAM:
        teams = user.scope_team_ids()
        parts += [Q(**{f"{field}__in": teams}) for field in ((team,) if isinstance(team, str) else team)]
    return parts


def sees_all(user, module) -> bool:
    return is_active_actor(user) and user.record_scope(module) == Scope.ALL


def narrow(queryset, user, module, *, owner="owner", team="team"):
    """``queryset`` narrowed to the rows ``user`` may see, for rows that are not a scoped model (summary
    tables, targets) but carry an owner and a team the way scoped models do."""
    if not is_active_actor(user):
        return queryset.none()
    condition = scope_condition(user, module, owner=owner, team=team)
    return queryset if condition is None else queryset.filter(condition)


def visible_users_key(user, module) -> tuple:
    """Everything :func:`visible_users` builds its query from, so that equal keys are the same query (the cached
    owner choices of a list's filter form are keyed by it)."""
    if not is_active_actor(user):
        return ()
    scope = user.record_scope(module)
    if scope == Scope.ALL:
        return (Scope.ALL,)
    if scope == Scope.TEAM:
        return (Scope.TEAM, user.pk, tuple(user.scope_team_ids()))
    return (Scope.OWN, user.pk)


def visible_users(user, module):
    """Active users whose records ``user`` sees in ``module``: the choices of an owner field or filter."""
    users = get_user_model().objects.filter(is_active=True).select_related("team")
    key = visible_users_key(user, module)
    if not key:
        return users.none()
    if key[0] == Scope.ALL:
        return users
    if key[0] == Scope.TEAM:
        _scope, pk, team_ids = key
        return users.filter(Q(team_id__in=team_ids) | Q(pk=pk))
    return users.filter(pk=key[1])


def visible_teams(user, module):
    """Teams whose records ``user`` sees in ``module``: the choices of a team field or filter."""
    Team = get_user_model()._meta.get_field("team").related_model
    teams = Team.objects.order_by("name")
    if not is_active_actor(user):
        return teams.none()
    if user.record_scope(module) == Scope.ALL:
        return teams
    return teams.filter(pk__in=user.scope_team_ids())


class InArray(Expression):
    """``<field> = ANY(ARRAY(<subquery>))``: what ``field__in=<subquery>`` means, written so that PostgreSQL runs the
    (small) subquery once, first, and can then look the values up in the field's index — and combine that lookup
    with the owner and team indexes of the rest of the scope (a bitmap OR). An ``IN`` or ``EXISTS`` subquery inside
    an OR leaves it a filter checked row by row, so a narrow scope searched by text read as many rows as a wide one.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, queryset):
        super().__init__()
        self.target, self.values = F(field), Subquery(queryset)

    def get_source_expressions(self):
        return [self.target, self.values]

    def set_source_expressions(self, exprs):
        self.target, self.values = exprs

    def as_sql(self, compiler, connection):
        target, target_params = compiler.compile(self.target)
        values, values_params = compiler.compile(self.values)
        return f"{target} = ANY(ARRAY{values})", [*target_params, *values_params]


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see.

    The model declares:
    - ``scope_module``: a :class:`Module` value;
    - ``scope_owner_field`` / ``scope_team_field``: the owner and team foreign keys, or
    - ``scope_parent``: the name of a foreign key to a scoped model whose visibility it inherits;
    - optionally ``scope_shared_field``: a many-to-many to users the record is shared with.

    A child record that keeps copies of its parent's owner and team (so its scope needs no join) names those
    copies as its owner and team fields and the parent in ``scope_shared_parent``: it is also visible to the
    users the parent is shared with.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The scope as parts whose OR it is (owner, team, shared), for first_rows(); None when not scoped by them.
        self._scope_parts = None
        self._scope_where_index = None

    def _clone(self):
        clone = super()._clone()
        clone._scope_parts, clone._scope_where_index = self._scope_parts, self._scope_where_index
        return clone

    def __or__(self, other):
        return self._unparted(super().__or__(other), other)

    def __xor__(self, other):
        return self._unparted(super().__xor__(other), other)

    def _unparted(self, combined, other):
        # Rows of either side: the parts of one side's scope no longer cover them. (An intersection keeps them.)
        if combined is not self and combined is not other:
            combined._scope_parts = None
        return combined

    def visible_to(self, user):
        if not is_active_actor(user):
            return self.none()
        model = self.model
        parent = getattr(model, "scope_parent", None)
        if parent:
            parent_model = model._meta.get_field(parent).related_model
            return self.filter(**{f"{parent}__in": parent_model.objects.visible_to(user).values("pk")})

        parts = _scope_parts(user, model.scope_module, owner=model.scope_owner_field, team=model.scope_team_field)
        if parts is None:
            return self
        shared = getattr(model, "scope_shared_field", None)
        if shared:
            through = model._meta.get_field(shared).remote_field.through
            source = model._meta.model_name
            parts.append(InArray("pk", through.objects.filter(user=user).values(source)))
        shared_parent = getattr(model, "scope_shared_parent", None)
        if shared_parent:
            parent_model = model._meta.get_field(shared_parent).related_model
            through = parent_model._meta.get_field(parent_model.scope_shared_field).remote_field.through
            source = parent_model._meta.model_name
            parts.append(InArray(shared_parent, through.objects.filter(user=user).values(source)))
        condition = Q()
        for part in parts:
            condition |= part
        queryset = self.filter(condition)
        if user.record_scope(model.scope_module) == Scope.OWN:
            # Only a user's own records and those shared with them: each part has an index in the list's order
            # (owner × created_at, owner × name). A team scope's parts (several teams; the manager's own records
            # again inside the team's) only sorted the same rows more than once.
            queryset._scope_parts = parts
            # Where the OR landed among the query's AND-ed conditions (later filters are appended after it).
            queryset._scope_where_index = len(queryset.query.where.children) - 1
        return queryset


def first_rows(queryset, rows: int):
    """``queryset`` narrowed to its first ``rows`` rows in its own order, written so that PostgreSQL can read them
    through the index of each part of an own-records scope: the first ``rows`` rows of each part (own records
    through the owner index, the shared ones), merged and sorted again by the outer query.

    PostgreSQL cannot walk an index in order under an OR of owner and shares: a rep's page walked the whole
    table's created-at or name index, keeping one row in thirty, where the (owner, created_at) index holds exactly
    the rep's rows in order. The first ``rows`` rows of a union are among the first ``rows`` rows of its parts, so
    the page is the same; the outer query keeps every condition, scope included.
    """
    parts = getattr(queryset, "_scope_parts", None)
    query = queryset.query
    if not parts or len(parts) < 2 or query.combinator or query.is_sliced or query.distinct or not queryset.ordered:
        return queryset
    # Each part asks for a different number of rows than the page, so rows that tie must come in one order.
    ordering = unique_ordering(queryset)
    if ordering is None:
        return queryset
    firsts = [_without_scope(queryset).filter(part).order_by(*ordering).values("pk")[:rows] for part in parts]
    return queryset.filter(pk__in=firsts[0].union(*firsts[1:], all=True)).order_by(*ordering)


def _without_scope(queryset):
    """``queryset`` without the OR of its scope's parts (each part stands for it in first_rows): PostgreSQL, not
    knowing that ``owner = 3 AND (owner = 3 OR …)`` is ``owner = 3``, underestimated a part's rows and chose its
    plan badly. The outer query keeps the scope, so at worst (the OR not found) the part keeps it too."""
    chained = queryset._chain()
    where, index = chained.query.where, queryset._scope_where_index
    node = where.children[index] if index is not None and index < len(where.children) else None
    if (
        where.connector == AND
        and not where.negated
        and isinstance(node, WhereNode)
        and node.connector == OR
        and not node.negated
        and len(node.children) == len(queryset._scope_parts)
    ):
        where.children = [child for i, child in enumerate(where.children) if i != index]
    return chained
