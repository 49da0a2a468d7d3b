from django.core.management.base import BaseCommand, CommandError

from security.models import Backup
from security.services import backups


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the stored files, encrypted with BACKUP_ENCRYPTION_KEY, "
        "to the backup storage (BACKUP_DIR or the object store), then verify the stored copy restores."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-verify", action="store_true", help="Skip the restore check into a scratch database.")
        parser.add_argument("--prune", action="store_true", help="Apply the retention policy afterwards.")
        parser.add_argument(
            "--generate-key", action="store_true", help="Print a new key for BACKUP_ENCRYPTION_KEY and do nothing else."
        )

    def handle(self, *args, no_verify=False, prune=False, generate_key=False, **options):
        if generate_key:
            secret, public = backups.generate_key()
            self.stdout.write(f"BACKUP_ENCRYPTION_KEY={secret}\n# public key (recipient): {public}")
            self.stdout.write("# Keep a copy of the secret key away from the backups: without it they cannot be read.")
            return
        backup = backups.backup_create(trigger=Backup.Trigger.MANUAL, verify=not no_verify)
        if backup.status != Backup.Status.DONE:
            raise CommandError(f"Backup {backup.name} failed: {backup.error}")
        where = f"{backups.backup_location()}/{backup.name}"
        self.stdout.write(f"{where}: {backup.total_rows} rows in {len(backup.row_counts)} tables")
        if not no_verify:
            self.stdout.write(f"restore check: {backup.check_status} {backup.check_detail.get('error', '')}".rstrip())
            if backup.check_status != Backup.CheckStatus.PASSED:
                raise CommandError("The restore check failed.")
        if prune:
            for name in backups.backup_prune():
                self.stdout.write(f"pruned {name}")
