"""What a ticket attachment may be: a size limit and a short list of types, checked by content.

The file's name says what it claims to be; its first bytes (``filetype``) must agree. Plain text
formats have no signature, so they must decode as UTF-8 instead.
"""

from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# extension -> the MIME types its content may be detected as
ALLOWED = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
    "zip": {"application/zip"},
    # Office files are zip archives underneath; filetype names them by their inner type or as zip.
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
}
TEXT = {"txt": "text/plain", "csv": "text/csv", "log": "text/plain"}
SNIFF_BYTES = 8192


def allowed_extensions() -> list[str]:
    return sorted([*ALLOWED, *TEXT])


def check_attachment(upload) -> str:
    """Raise ValidationError naming the file when it is too big or not an allowed type; returns its MIME type."""
    name = Path(upload.name).name
    limit = settings.SERVICE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; attachments may be at most %(limit)s."),
            params={"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    extension = Path(name).suffix.lower().lstrip(".")
    refused = ValidationError(
        _("%(name)s is not an allowed file type (allowed: %(allowed)s)."),
        params={"name": name, "allowed": ", ".join(allowed_extensions())},
        code="type",
    )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if extension in TEXT:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A cut in the middle of a multi-byte character at the sniff boundary is still text.
            if error.start < len(head) - 3:
                raise refused from error
        if b"\x00" in head:
            raise refused
        return TEXT[extension]
    kind = filetype.guess(head)
    if extension not in ALLOWED or kind is None or kind.mime not in ALLOWED[extension]:
        raise refused
    return kind.mime
