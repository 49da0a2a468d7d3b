"""Makers for the IDOR sweep (tests/test_idor_sweep.py): a sales record the owner can see, as URL kwargs.

A sales rep holds the view, add and change permissions on leads, opportunities, orders and contracts
with their own records in scope, so the outsider (a rep of another team) can be refused by scope alone.
"""

from django.core.files.base import ContentFile

from accounts import roles
from crm.models import Job
from sales.models import ContractFile, OpportunityLine
from tests.factories import CustomerFactory
from tests.sales.factories import (
    ContractFactory,
    LeadFactory,
    OpportunityFactory,
    OrderFactory,
    ProductFactory,
    open_stages,
)


def lead(owner):
    return {"pk": LeadFactory(owner=owner).pk}


def opportunity(owner):
    return {"pk": OpportunityFactory(customer=CustomerFactory(owner=owner)).pk}


def lead_for_manager(owner):
    return lead(owner)


# Assigning leads is the managers' work; their sales scope is their team.
lead_for_manager.roles = (roles.SALES_MANAGER,)


def opportunity_move(owner):
    return opportunity(owner)


opportunity_move.data = lambda: {"stage": open_stages()[1].pk}


def opportunity_line(owner):
    deal = OpportunityFactory(customer=CustomerFactory(owner=owner))
    line = OpportunityLine.objects.create(opportunity=deal, product=ProductFactory(), quantity=1, unit_price=100)
    return {"pk": deal.pk, "line_pk": line.pk}


def order(owner):
    return {"pk": OrderFactory(customer=CustomerFactory(owner=owner)).pk}


def contract(owner):
    return {"pk": ContractFactory(customer=CustomerFactory(owner=owner)).pk}


def contract_file(owner):
    row = ContractFactory(customer=CustomerFactory(owner=owner))
    attached = ContractFile(contract=row, name="signed.pdf", size=9, uploaded_by=owner)
    attached.file.save("signed.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return {"pk": row.pk, "file_pk": attached.pk}


def product(owner):
    # The catalogue is company-wide (its detail page is excluded from the sweep); editing it needs the
    # catalogue permission a sales rep does not hold, so both users are refused with 403.
    return {"pk": ProductFactory().pk}


product.owner_reaches = False


def lead_upload(owner):
    """An upload of leads waiting for its columns; importing leads is the managers' work."""
    job = Job.objects.create(user=owner, kind=Job.Kind.IMPORT, dataset="leads", options={"headers": ["姓名"]})
    return {"pk": job.pk}


lead_upload.roles = (roles.SALES_MANAGER,)


def lead_dry_run(owner):
    upload = Job.objects.create(user=owner, kind=Job.Kind.IMPORT, dataset="leads", options={"headers": ["姓名"]})
    check = Job.objects.create(
        user=owner, kind=Job.Kind.IMPORT, dataset="leads", dry_run=True, parent=upload, status=Job.Status.QUEUED,
        options={"mapping": {"0": "name"}, "duplicate_policy": "skip", "import_valid_rows": False},
    )  # fmt: skip
    return {"pk": check.pk}


lead_dry_run.roles = (roles.SALES_MANAGER,)

REGISTRY = {
    "sales:lead-": lead,
    "sales:lead-import-map": lead_upload,
    "sales:lead-import-check": lead_dry_run,
    "sales:lead-assign": lead_for_manager,
    "sales:opportunity-": opportunity,
    "sales:opportunity-move": opportunity_move,
    "sales:opportunity-line-delete": opportunity_line,
    "sales:order-": order,
    "sales:contract-": contract,
    "sales:contract-file": contract_file,
    "sales:product-": product,
}
