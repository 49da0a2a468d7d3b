"""Size and type checks for files marketing accepts (event posters and invitations, assets)."""

import mimetypes

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Types by extension, confirmed against the first bytes so a renamed executable is refused.
ALLOWED = {
    ".png": ("image/png", [b"\x89PNG"]),
    ".jpg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".jpeg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".gif": ("image/gif", [b"GIF87a", b"GIF89a"]),
    ".webp": ("image/webp", [b"RIFF"]),
    ".pdf": ("application/pdf", [b"%PDF"]),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [b"PK\x03\x04"]),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", [b"PK\x03\x04"]),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [b"PK\x03\x04"]),
    ".mp4": ("video/mp4", []),
    ".html": ("text/html", []),
    ".txt": ("text/plain", []),
}
POSTER_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf"}
INVITATION_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".docx"}


def check_upload(upload, *, field: str, allowed=None) -> str:
    """The upload's content type, or a ValidationError naming ``field`` when too big or of a wrong type."""
    limit = settings.MARKETING_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {field: _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}}, code="too_big"
        )
    name = upload.name.lower()
    extension = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    allowed = allowed or set(ALLOWED)
    if extension not in allowed:
        raise ValidationError(
            {
                field: _("Files of this type are not accepted. Allowed: %(types)s.")
                % {"types": ", ".join(sorted(allowed))}
            },
            code="bad_type",
        )
    content_type, signatures = ALLOWED[extension]
    if signatures:
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(sig) for sig in signatures):
            raise ValidationError({field: _("The file's content does not match its extension.")}, code="bad_content")
    return content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
