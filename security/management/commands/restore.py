from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from security.services import backups


class Command(BaseCommand):
    help = (
        "Restore a backup into a new database (--create) or replace the contents of an existing one. The backup "
        "is a local folder (or the database dump in it), or the name of a backup in the backup storage (BACKUP_DIR "
        "or the object store), fetched from there. Asks for confirmation unless --no-input is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A backup folder, the database dump in it, or a backup's name (crm-2026…).")
        parser.add_argument("--database", required=True, help="The database to restore into.")
        parser.add_argument("--create", action="store_true", help="Create the database; refuse if it exists.")
        parser.add_argument("--media-to", help="Also unpack the stored files into this directory.")
        parser.add_argument(
            "--media-to-storage",
            action="store_true",
            help="Also put the stored files back into the file storage (local disk or bucket), keeping those there.",
        )
        parser.add_argument("--no-input", action="store_false", dest="interactive")

    def handle(self, *args, path, database, create, media_to=None, media_to_storage=False, interactive=True, **options):
        target = "a new database" if create else "the EXISTING database (its tables are replaced)"
        if interactive:
            answer = input(f"Restore {path} into {target} {database!r}? Type the database name to confirm: ")
            if answer.strip() != database:
                raise CommandError("Not confirmed; nothing was changed.")
        try:
            manifest = backups.backup_restore(
                path=path,
                dbname=database,
                create=create,
                media_to=Path(media_to) if media_to else None,
                media_to_storage=media_to_storage,
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(f"Restored {manifest['name']} into {database}: {rows} rows, every table's count matches.")
