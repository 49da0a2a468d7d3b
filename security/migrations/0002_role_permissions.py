from django.db import migrations

from crm.roles import grant


def grant_permissions(apps, schema_editor):
    grant(apps, "Administrator", ["crm.view_behaviourlog", "security.view_backup", "security.manage_backup"])


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial"), ("accounts", "0002_seed_roles"), ("crm", "0001_initial")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
