"""Where stored files live, and the one way a stored file reaches a user.

Every stored file (job uploads and results, import error reports, contract files, ticket attachments,
marketing assets, event files) goes through Django's storage API: the local disk under ``MEDIA_ROOT``,
or an S3-compatible object store when ``S3_BUCKET`` is set (settings pick the backend). Nothing is
public: the disk has no ``/media/`` URL in any settings mode, the bucket's objects are private, and
every name carries a random directory (128 bits), so a file's address cannot be guessed even by someone
who knows what it is called. A file reaches a user only through a view that has checked the record
scope or the job's owner and then calls :func:`serve`.
"""

import mimetypes
import posixpath
import secrets
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage


class _NoPublicURL:
    def url(self, name):
        # Templates must link to a checking view; a forgotten ``.url`` fails loudly instead of leaking.
        raise ValueError("Stored files have no public address; link to the view that checks access.")


class _UnguessableNames:
    """Every saved file gets a random directory of its own: ``contracts/7/<32 hex>/scan.pdf``."""

    def generate_filename(self, filename):
        directory, name = posixpath.split(super().generate_filename(filename))
        return posixpath.join(directory, secrets.token_hex(16), name)


class LocalStorage(_NoPublicURL, FileSystemStorage):
    """The local disk (``MEDIA_ROOT`` unless given a location), with names kept as given."""


class PrivateLocalStorage(_UnguessableNames, LocalStorage):
    """Uploads and job files on the local disk."""


class BackupDirStorage(LocalStorage):
    """Backups on the local disk, in ``BACKUP_DIR`` (read when the storage is made, so tests can move it)."""

    def __init__(self, **options):
        options.setdefault("location", str(settings.BACKUP_DIR))
        Path(options["location"]).mkdir(parents=True, exist_ok=True)
        super().__init__(**options)


class ObjectStorage(S3Storage):
    """An S3-compatible bucket (or a prefix of one): private objects, short-lived signed links only."""

    def __init__(self, **options):
        options.setdefault("default_acl", None)
        options.setdefault("querystring_auth", True)
        options.setdefault("file_overwrite", False)
        super().__init__(**options)

    def signed_url(self, name, *, disposition: str, content_type: str) -> str:
        """A link that works for ``FILE_URL_MAX_AGE_SECONDS`` and makes the store answer with our headers."""
        parameters = {"ResponseContentDisposition": disposition, "ResponseContentType": content_type}
        return self.url(name, parameters=parameters, expire=settings.FILE_URL_MAX_AGE_SECONDS)


class PrivateObjectStorage(_UnguessableNames, ObjectStorage):
    """Uploads and job files in the object store."""


def serve(storage, name: str, *, filename: str, as_attachment: bool = True, content_type: str | None = None):
    """The response that hands a stored file to a user who has already been checked.

    ``FILE_DELIVERY`` says how: ``stream`` (Django reads the file and sends it), ``redirect`` (to a signed
    link of the object store, valid ``FILE_URL_MAX_AGE_SECONDS``), or ``accel`` (an ``X-Accel-Redirect``
    header naming ``FILE_ACCEL_REDIRECT_PREFIX`` + the stored name, for nginx to send the file from an
    internal location). A storage that cannot sign links is streamed whatever the setting.
    """
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    disposition = content_disposition_header(as_attachment, filename)
    delivery = settings.FILE_DELIVERY
    if delivery == "redirect" and isinstance(storage, ObjectStorage):
        response = HttpResponseRedirect(storage.signed_url(name, disposition=disposition, content_type=content_type))
    elif delivery == "accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.FILE_ACCEL_REDIRECT_PREFIX.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    # Behind a scope check: no shared cache may keep it, and the browser should not either.
    response["Cache-Control"] = "private, no-store"
    return response


def serve_field(file, *, filename: str | None = None, **options):
    """:func:`serve` for a model's FileField value."""
    return serve(file.storage, file.name, filename=filename or posixpath.basename(file.name), **options)
