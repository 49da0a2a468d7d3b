"""Makers for the IDOR sweep (tests/test_idor_sweep.py): a record the owner can see, as URL kwargs."""

from datetime import timedelta

from django.utils import timezone

from crm.models import Job
from customers.models import CareAction, CarePlan, ContactCadence, CustomerMerge
from tests.factories import CommunicationFactory, ContactFactory, CustomerFactory, FollowUpTaskFactory


def customer(owner):
    return {"pk": CustomerFactory(owner=owner).pk}


def contact(owner):
    row = ContactFactory(customer=CustomerFactory(owner=owner))
    return {"customer_pk": row.customer_id, "pk": row.pk}


def contact_create(owner):
    return {"customer_pk": CustomerFactory(owner=owner).pk}


def communication(owner):
    return {"pk": CommunicationFactory(customer=CustomerFactory(owner=owner)).pk}


def task(owner):
    return {"pk": FollowUpTaskFactory(customer=CustomerFactory(owner=owner), assignee=owner).pk}


def care_action(owner):
    action = CareAction.objects.create(
        customer=CustomerFactory(owner=owner),
        channel="phone",
        due_on=timezone.localdate() + timedelta(days=1),
        assignee=owner,
        source_key=f"idor:{owner.pk}",
    )
    return {"pk": action.pk}


def care_plan(owner):
    # Company-wide settings, not records of anyone: a sales rep is refused by permission (403).
    return {"pk": CarePlan.objects.create(name="Birthday", occasion="birthday").pk}


care_plan.owner_reaches = False


def cadence(owner):
    return {"pk": ContactCadence.objects.create(name="Every month").pk}


cadence.owner_reaches = False


def merge_pair(owner):
    return {"pk": CustomerFactory(owner=owner).pk, "other_pk": CustomerFactory(owner=owner).pk}


merge_pair.owner_reaches = False  # merging needs the manager's merge permission


def merge(owner):
    survivor = CustomerFactory(owner=owner)
    row = CustomerMerge.objects.create(
        survivor=survivor, merged_id=survivor.pk + 1000, merged_name="Gone", merged_by=owner
    )
    return {"pk": row.pk}


merge.owner_reaches = False  # undoing a merge needs the merge permission


def import_job(owner):
    job = Job.objects.create(user=owner, kind=Job.Kind.IMPORT, dataset="customers", options={"headers": ["name"]})
    return {"pk": job.pk}


def import_dry_run(owner):
    upload = Job.objects.create(user=owner, kind=Job.Kind.IMPORT, dataset="customers", options={"headers": ["name"]})
    check = Job.objects.create(
        user=owner, kind=Job.Kind.IMPORT, dataset="customers", dry_run=True, parent=upload, status=Job.Status.QUEUED,
        options={"mapping": {"0": "name"}, "duplicate_policy": "skip", "import_valid_rows": False},
    )  # fmt: skip
    return {"pk": check.pk}


REGISTRY = {
    "customers:customer-": customer,
    "customers:customer-merge": merge_pair,
    "customers:contact-": contact,
    "customers:contact-create": contact_create,
    "customers:communication-": communication,
    "customers:communication-create": customer,
    "customers:task-": task,
    "customers:task-create": customer,
    "customers:care-action-": care_action,
    "customers:care-plan-": care_plan,
    "customers:care-cadence-": cadence,
    "customers:merge-undo": merge,
    "customers:customer-import-map": import_job,
    "customers:customer-import-check": import_dry_run,
}
