"""Helpers for data migrations that give the seeded roles their module permissions.

Each app grants the permissions on its own models in its own migration, so the layering holds.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions


def grant(apps, role_name: str, permissions: list[str]) -> None:
    """Give ``role_name`` the permissions named ``"app_label.codename"``, creating them if needed."""

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for label in {p.split(".")[0] for p in permissions}:
        create_permissions(global_apps.get_app_config(label), verbosity=0, apps=apps)
    group, _ = Group.objects.get_or_create(name=role_name)
    for permission in permissions:
        app_label, codename = permission.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def crud(app_label: str, model: str, verbs=("view", "add", "change", "delete")) -> list[str]:
    return [f"{app_label}.{verb}_{model}" for verb in verbs]
