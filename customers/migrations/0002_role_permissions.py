from django.db import migrations

from crm.roles import crud, grant

EVERYTHING = crud("customers", "customer") + crud("customers", "contact") + crud("customers", "tag") + crud(
    "customers", "customergroup"
)
READ = ["customers.view_customer", "customers.view_contact", "customers.view_tag", "customers.view_customergroup"]


def grant_permissions(apps, schema_editor):
    grant(apps, "Sales rep", READ + crud("customers", "customer", ("add", "change", "delete")) + crud(
        "customers", "contact", ("add", "change", "delete")))
    grant(apps, "Sales manager", EVERYTHING)
    grant(apps, "Marketing", READ + crud("customers", "customergroup", ("add", "change")) + ["customers.add_tag"])
    grant(apps, "Service agent", READ)
    grant(apps, "Executive", READ)
    grant(apps, "Administrator", EVERYTHING)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial"), ("accounts", "0002_seed_roles")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
