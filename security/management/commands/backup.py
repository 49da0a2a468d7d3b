from django.core.management.base import BaseCommand, CommandError

from security.models import Backup
from security.services import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and the uploaded files to BACKUP_DIR, then verify it."

    def add_arguments(self, parser):
        parser.add_argument("--no-verify", action="store_true", help="Skip the restore check into a scratch database.")
        parser.add_argument("--prune", action="store_true", help="Apply the retention policy afterwards.")

    def handle(self, *args, no_verify=False, prune=False, **options):
        backup = backups.backup_create(trigger=Backup.Trigger.MANUAL, verify=not no_verify)
        if backup.status != Backup.Status.DONE:
            raise CommandError(f"Backup {backup.name} failed: {backup.error}")
        self.stdout.write(f"{backups.backup_path(backup)}: {backup.total_rows} rows in {len(backup.row_counts)} tables")
        if not no_verify:
            self.stdout.write(f"restore check: {backup.check_status} {backup.check_detail.get('error', '')}".rstrip())
            if backup.check_status != Backup.CheckStatus.PASSED:
                raise CommandError("The restore check failed.")
        if prune:
            for name in backups.backup_prune():
                self.stdout.write(f"pruned {name}")
