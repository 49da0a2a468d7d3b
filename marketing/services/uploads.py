"""Which files marketing accepts (event posters and invitations, assets); crm.uploads does the checking."""

from django.conf import settings

from crm.uploads import check_upload as check_file

POSTER_TYPES = ("png", "jpg", "jpeg", "gif", "webp", "pdf")
INVITATION_TYPES = ("pdf", "png", "jpg", "jpeg", "docx")
ASSET_TYPES = ("png", "jpg", "jpeg", "gif", "webp", "pdf", "docx", "pptx", "xlsx", "mp4", "html", "txt")


def check_upload(upload, *, field: str, allowed=ASSET_TYPES) -> str:
    """The upload's content type, or a ValidationError naming ``field``; the size limit is marketing's own."""
    return check_file(upload, allowed=allowed, max_bytes=settings.MARKETING_UPLOAD_MAX_BYTES, field=field)
