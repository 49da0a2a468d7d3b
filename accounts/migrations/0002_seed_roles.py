"""The six roles of the design with their record scopes. Apps grant module permissions in their own
migrations; this one gives the administrator the account-management permissions."""

from django.db import migrations

from crm.roles import crud, grant

SCOPES = {
    "Sales rep": {"customers": "own", "sales": "own", "marketing": "own", "service": "own", "reports": "own"},
    "Sales manager": {"customers": "team", "sales": "team", "marketing": "team", "service": "team", "reports": "team"},
    "Marketing": {"customers": "all", "sales": "own", "marketing": "all", "service": "own", "reports": "team"},
    "Service agent": {"customers": "all", "sales": "own", "marketing": "own", "service": "own", "reports": "own"},
    "Executive": {"customers": "all", "sales": "all", "marketing": "all", "service": "all", "reports": "all"},
    "Administrator": {"customers": "all", "sales": "all", "marketing": "all", "service": "all", "reports": "all"},
}


def seed_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    RoleScope = apps.get_model("accounts", "RoleScope")
    for name, scopes in SCOPES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for module, scope in scopes.items():
            RoleScope.objects.update_or_create(group=group, module=module, defaults={"scope": scope})
    grant(
        apps,
        "Administrator",
        crud("accounts", "user") + crud("accounts", "team") + crud("auth", "group") + crud("accounts", "rolescope")
        + crud("accounts", "role") + ["crm.view_behaviourlog"]
        + crud("django_celery_beat", "periodictask") + crud("django_celery_beat", "crontabschedule")
        + crud("django_celery_beat", "intervalschedule"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("crm", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
