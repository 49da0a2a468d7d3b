from django.db import migrations

from crm.roles import crud, grant

CATALOGUE = crud("sales", "product") + crud("sales", "productcategory")
SETUP = crud("sales", "pipeline") + crud("sales", "stage") + crud("sales", "exchangerate")
REP_WORK = (
    crud("sales", "lead", ("view", "add", "change"))
    + crud("sales", "opportunity", ("view", "add", "change"))
    + crud("sales", "order", ("view", "add", "change"))
    + crud("sales", "contract", ("view", "add", "change"))
    + crud("sales", "contractfile", ("view", "add"))
    + ["sales.view_product", "sales.view_productcategory", "sales.view_salestarget", "sales.convert_lead"]
    + ["sales.confirm_order"]
)
MANAGER_WORK = (
    crud("sales", "lead")
    + crud("sales", "opportunity")
    + crud("sales", "order")
    + crud("sales", "contract")
    + crud("sales", "contractfile")
    + crud("sales", "salestarget")
    + CATALOGUE
    + ["sales.assign_lead", "sales.import_lead", "sales.convert_lead", "sales.confirm_order"]
)
READ = [
    "sales.view_product", "sales.view_productcategory", "sales.view_lead", "sales.view_opportunity",
    "sales.view_order", "sales.view_contract", "sales.view_contractfile", "sales.view_salestarget",
]

# The seeded default pipeline; names are data an administrator edits (in the company language).
DEFAULT_STAGES = [
    ("初步接洽", 10, 10, False, False),
    ("需求确认", 20, 25, False, False),
    ("方案报价", 30, 50, False, False),
    ("商务谈判", 40, 75, False, False),
    ("赢单", 90, 100, True, False),
    ("输单", 99, 0, False, True),
]


def forwards(apps, schema_editor):
    grant(apps, "Sales rep", REP_WORK)
    grant(apps, "Sales manager", MANAGER_WORK)
    grant(apps, "Marketing", ["sales.view_lead", "sales.add_lead", "sales.import_lead", "sales.view_product"])
    grant(apps, "Service agent", ["sales.view_product", "sales.view_order"])
    grant(apps, "Executive", READ)
    grant(apps, "Administrator", MANAGER_WORK + SETUP)
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    pipeline, created = Pipeline.objects.get_or_create(name="标准销售流程", defaults={"is_default": True})
    if created:
        for name, order, probability, won, lost in DEFAULT_STAGES:
            Stage.objects.create(
                pipeline=pipeline, name=name, order=order, probability=probability, is_won=won, is_lost=lost
            )


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial"), ("customers", "0004_role_permissions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
