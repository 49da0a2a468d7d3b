"""Record scope: the one place that decides which business records a user may see.

Every list, detail, edit, delete, search, export, report and job that acts for a user starts from
``Model.objects.visible_to(user)``. A model opts in by using :class:`ScopedQuerySet` as its
manager and naming the module whose scope applies and the fields that hold owner and team. A
child record (a contact, a communication) names its parent instead and inherits the parent's
visibility.

This module imports no app: it asks the user object for its scope (``user.record_scope(module)``
and ``user.scope_team_ids()``), which the custom user model provides.
"""

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Team records")
    ALL = "all", _("All records")


# Wider scope wins when a user holds several roles.
SCOPE_RANK = {Scope.OWN: 0, Scope.TEAM: 1, Scope.ALL: 2}


class Module(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    SERVICE = "service", _("Service")
    REPORTS = "reports", _("Reports")


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

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        model = self.model
        parent = getattr(model, "scope_parent", None)
        if parent:
            parent_model = model._meta.get_field(parent).related_model
            return self.filter(**{f"{parent}__in": parent_model.objects.visible_to(user).values("pk")})

        scope = user.record_scope(model.scope_module)
        if scope == Scope.ALL:
            return self
        condition = Q(**{model.scope_owner_field: user})
        if scope == Scope.TEAM:
            condition |= Q(**{f"{model.scope_team_field}__in": user.scope_team_ids()})
        shared = getattr(model, "scope_shared_field", None)
        if shared:
            through = model._meta.get_field(shared).remote_field.through
            source = model._meta.model_name
            condition |= Exists(through.objects.filter(**{source: OuterRef("pk"), "user": user}))
        shared_parent = getattr(model, "scope_shared_parent", None)
        if shared_parent:
            parent_model = model._meta.get_field(shared_parent).related_model
            through = parent_model._meta.get_field(parent_model.scope_shared_field).remote_field.through
            source = parent_model._meta.model_name
            condition |= Q(**{f"{shared_parent}__in": through.objects.filter(user=user).values(source)})
        return self.filter(condition)
