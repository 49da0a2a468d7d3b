"""Makers for the IDOR sweep: backups are for administrators only, so a sales rep gets 403."""

from security.models import Backup


def backup(owner):
    row = Backup.objects.create(name=f"crm-idor-{owner.pk}", status=Backup.Status.DONE)
    return {"pk": row.pk, "part": "database"}


backup.owner_reaches = False

REGISTRY = {"security:backup-download": backup}
