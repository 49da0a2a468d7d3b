"""Users, the team tree and roles with their record scope."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.names import full_name
from crm.scope import RECORD_MODULES, SCOPE_RANK, Scope

from . import authorization
from .roles import role_label, team_label


class Team(models.Model):
    """A node of the organisation tree: company → department → team."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="team_unique_name_in_parent"),
        ]

    def __str__(self):
        return team_label(self.name)


class User(AbstractUser):
    """A person who signs in. Custom from the first migration so it can grow without pain."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        return full_name(self.first_name, self.last_name)

    def record_scope(self, module: str) -> str:
        """The widest record scope any of the user's roles grants for ``module``."""
        if self.is_superuser:
            return Scope.ALL
        authorization.load(self)
        cache = self.__dict__.get("_record_scopes")
        if cache is None:
            cache = {}
            rows = RoleScope.objects.filter(group__user=self).values_list("module", "scope")
            for row_module, scope in rows:
                if SCOPE_RANK[scope] > SCOPE_RANK.get(cache.get(row_module), -1):
                    cache[row_module] = scope
            self.__dict__["_record_scopes"] = cache
        return cache.get(module, Scope.OWN)

    def scope_team_ids(self) -> list[int]:
        """The user's team and the teams they manage, each with every team below it."""
        authorization.load(self)
        cached = self.__dict__.get("_scope_team_ids")
        if cached is not None:
            return cached
        rows = list(Team.objects.values_list("id", "parent_id", "manager_id"))
        children: dict[int | None, list[int]] = {}
        for team_id, parent_id, _manager in rows:
            children.setdefault(parent_id, []).append(team_id)
        roots = {team_id for team_id, _p, manager_id in rows if manager_id == self.pk}
        if self.team_id:
            roots.add(self.team_id)
        found, stack = set(), list(roots)
        while stack:
            team_id = stack.pop()
            if team_id in found:
                continue
            found.add(team_id)
            stack.extend(children.get(team_id, []))
        self.__dict__["_scope_team_ids"] = sorted(found)
        return self.__dict__["_scope_team_ids"]


class RoleScope(models.Model):
    """How far a role reaches in one module: its own records, its team's, or all."""

    group = models.ForeignKey(Group, verbose_name=_("role"), on_delete=models.CASCADE, related_name="record_scopes")
    module = models.CharField(_("module"), max_length=32, choices=RECORD_MODULES)
    scope = models.CharField(_("record scope"), max_length=8, choices=Scope.choices, default=Scope.OWN)

    class Meta:
        verbose_name = _("record scope")
        verbose_name_plural = _("record scopes")
        constraints = [models.UniqueConstraint(fields=["group", "module"], name="rolescope_unique_module")]

    def __str__(self):
        return f"{self.group}: {self.get_module_display()} → {self.get_scope_display()}"


class RolePolicy(models.Model):
    """How members of a role sign in: whether they must use a second factor (an authenticator app)."""

    group = models.OneToOneField(
        Group, verbose_name=_("role"), on_delete=models.CASCADE, primary_key=True, related_name="sign_in_policy"
    )
    two_factor_required = models.BooleanField(
        _("two-factor sign-in required"),
        default=False,
        help_text=_("Members must set up an authenticator app and enter its code at every sign-in."),
    )

    class Meta:
        verbose_name = _("sign-in policy")
        verbose_name_plural = _("sign-in policies")

    def __str__(self):
        return str(self.group)


class KnownSignInAddress(models.Model):
    """An address a user has signed in from, kept as a keyed hash: a new one alerts the user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    address_hash = models.CharField(_("address (keyed hash)"), max_length=64)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        verbose_name = _("known sign-in address")
        verbose_name_plural = _("known sign-in addresses")
        constraints = [models.UniqueConstraint(fields=["user", "address_hash"], name="knownaddress_unique")]

    def __str__(self):
        return f"{self.user_id}: {self.address_hash[:12]}"


class Role(Group):
    """A role is a Django group (its module permissions) plus a record scope per module."""

    class Meta:
        proxy = True
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return role_label(self.name)
