"""May this caller do this at all: the module permissions of the user's roles, and the token's access.

Which records it reaches is the record scope's business (crm/scope.py), applied by every selector.
"""

from rest_framework import permissions

from .models import ApiToken


class ModulePermission(permissions.DjangoModelPermissions):
    """Django's model permissions, reading included: a role without ``view_<model>`` lists nothing.

    A view may name another model whose permissions apply (``permission_model``), and its extra actions
    the permission they need (``action_permissions = {"confirm": "sales.change_order"}``).
    """

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "_ignore_model_permissions", False):
            return True
        required = self.required_permissions_for(request, view)
        return request.user.has_perms(required)

    def required_permissions_for(self, request, view):
        action = getattr(view, "action", None)
        explicit = getattr(view, "action_permissions", {}).get(action)
        if explicit:
            return [explicit] if isinstance(explicit, str) else list(explicit)
        model = getattr(view, "permission_model", None) or view.get_queryset().model
        method = request.method
        # Upserts create or change; both permissions are needed, whichever it turns out to be.
        if action in ("upsert", "bulk"):
            return self.get_required_permissions("POST", model) + self.get_required_permissions("PUT", model)
        return self.get_required_permissions(method, model)


class TokenAccess(permissions.BasePermission):
    """A read-only token may only read."""

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and token.access == ApiToken.Access.READ:
            return request.method in permissions.SAFE_METHODS
        return True
