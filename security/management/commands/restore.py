from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from security.services import backups


class Command(BaseCommand):
    help = (
        "Restore a backup (its directory or its database.dump) into a new database (--create) or replace the "
        "contents of an existing one. Asks for confirmation unless --no-input is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A backup directory under BACKUP_DIR, or the database.dump in it.")
        parser.add_argument("--database", required=True, help="The database to restore into.")
        parser.add_argument("--create", action="store_true", help="Create the database; refuse if it exists.")
        parser.add_argument("--media-to", help="Also unpack the uploaded files into this directory.")
        parser.add_argument("--no-input", action="store_false", dest="interactive")

    def handle(self, *args, path, database, create, media_to=None, interactive=True, **options):
        target = "a new database" if create else "the EXISTING database (its tables are replaced)"
        if interactive:
            answer = input(f"Restore {path} into {target} {database!r}? Type the database name to confirm: ")
            if answer.strip() != database:
                raise CommandError("Not confirmed; nothing was changed.")
        try:
            manifest = backups.backup_restore(
                path=Path(path), dbname=database, create=create, media_to=Path(media_to) if media_to else None
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        differences = backups.compare_row_counts(manifest["row_counts"], backups.database_row_counts(database))
        if differences:
            raise CommandError(f"Restored, but row counts differ: {differences}")
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(f"Restored {manifest['name']} into {database}: {rows} rows, every table's count matches.")
