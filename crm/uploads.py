"""The one check every uploaded file passes: size, extension, and content that agrees with the extension.

A file's name only says what it claims to be; its first bytes (``filetype``) must agree, so a renamed
executable is refused. Plain text formats have no signature, so they must be text instead (UTF-8, or
GBK/GB18030 as Chinese spreadsheets save CSV). Each app passes the kinds it accepts and its own size
limit (a setting), and the form field's name so the message says where the problem is. The import adds
its workbook checks on top (``crm.importexport.reading.open_table``).
"""

import io
from collections.abc import Iterable
from pathlib import Path

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Office files are zip archives underneath; filetype names them by their inner type or as a plain zip.
ZIP = "application/zip"
BINARY = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
    "zip": {ZIP},
    "mp4": {"video/mp4"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP},
    "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP},
}
# The MIME type stored for each; for binary kinds the first listed official type.
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
TEXT = {"txt": "text/plain", "csv": "text/csv", "log": "text/plain", "html": "text/html"}
KNOWN = {*BINARY, *TEXT}
SNIFF_BYTES = 8192

IMAGES = frozenset({"png", "jpg", "jpeg", "gif", "webp"})


def _extension(name: str) -> str:
    return Path(name).suffix.lower().lstrip(".")


def _decodes(head: bytes, encoding: str) -> bool:
    try:
        head.decode(encoding)
    except UnicodeDecodeError as error:
        # A cut in the middle of a multi-byte character at the sniff boundary is still text.
        return error.start >= len(head) - 3
    return True


def _is_text(head: bytes) -> bool:
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        return False
    return _decodes(head, "utf-8") or _decodes(head, "gb18030")


def _size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        position = upload.tell()
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(position)
    return size


def check_upload(
    upload, *, allowed: Iterable[str], max_bytes: int, field: str | None = None, name: str | None = None
) -> str:
    """The upload's MIME type, or a ValidationError naming the file (and ``field``) saying what is wrong.

    ``allowed`` holds extensions without the dot (see BINARY and TEXT); ``max_bytes`` is the app's limit;
    ``name`` stands for the upload's own name when the file was stored under another (a queued import).
    """
    allowed = sorted({kind.lower().lstrip(".") for kind in allowed})
    unknown = set(allowed) - KNOWN
    if unknown:
        raise ValueError(f"No content check for {sorted(unknown)}; add them to crm.uploads first.")
    name = Path(name or getattr(upload, "name", "") or "").name

    def refuse(message, code, **params):
        error = ValidationError(message, code=code, params={"name": name, **params})
        raise ValidationError({field: error}) if field else error

    size = _size(upload)
    if size > max_bytes:
        refuse(
            _("%(name)s is %(size)s, larger than the limit of %(limit)s."),
            "too_big",
            size=filesizeformat(size),
            limit=filesizeformat(max_bytes),
        )
    if size == 0:
        refuse(_("%(name)s is empty."), "empty")
    extension = _extension(name)
    if extension not in allowed:
        refuse(_("%(name)s is not an allowed file type (allowed: %(allowed)s)."), "type", allowed=", ".join(allowed))
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if extension in TEXT:
        if not _is_text(head):
            message = _("%(name)s is not an allowed file type: its content is not %(type)s text.")
            refuse(message, "content", type=extension.upper())
        return TEXT[extension]
    kind = filetype.guess(head)
    if kind is None or kind.mime not in BINARY[extension]:
        message = _("%(name)s is not an allowed file type: its content is not a %(type)s file.")
        refuse(message, "content", type=extension.upper())
    return MIME.get(extension, kind.mime)
