"""Makers for the IDOR sweep: background jobs belong to the user who started them."""

from django.core.files.base import ContentFile

from crm.models import Job


def job(owner):
    row = Job.objects.create(user=owner, kind=Job.Kind.EXPORT, dataset="customers", status=Job.Status.DONE)
    row.output_file.save("idor.csv", ContentFile(b"name\n"), save=True)
    return {"pk": row.pk}


REGISTRY = {"job-": job}
