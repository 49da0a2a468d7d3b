from django.db import migrations

from crm.roles import crud, grant

WORK = crud("customers", "communication") + crud("customers", "followuptask")
CARE_SETUP = crud("customers", "careplan") + crud("customers", "contactcadence")


def grant_permissions(apps, schema_editor):
    grant(apps, "Sales rep", WORK + crud("customers", "careaction", ("view", "change")) + ["customers.export_customer"])
    grant(
        apps,
        "Sales manager",
        WORK
        + CARE_SETUP
        + crud("customers", "careaction")
        + [
            "customers.import_customer",
            "customers.export_customer",
            "customers.merge_customer",
            "customers.view_customermerge",
            "customers.erase_customer",
        ],
    )
    grant(
        apps,
        "Marketing",
        ["customers.view_communication", "customers.export_customer"]
        + CARE_SETUP
        + crud("customers", "careaction", ("view", "change")),
    )
    grant(apps, "Service agent", ["customers.view_communication", "customers.add_communication"])
    grant(
        apps,
        "Executive",
        [
            "customers.view_communication",
            "customers.view_followuptask",
            "customers.view_careaction",
            "customers.export_customer",
        ],
    )
    grant(
        apps,
        "Administrator",
        WORK
        + CARE_SETUP
        + crud("customers", "careaction")
        + crud("customers", "customermerge")
        + [
            "customers.import_customer",
            "customers.export_customer",
            "customers.merge_customer",
            "customers.erase_customer",
            "crm.view_job",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_communications_tasks_care_merge"), ("crm", "0002_notifications_reminders_jobs")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
