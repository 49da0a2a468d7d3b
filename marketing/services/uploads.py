"""Which files marketing accepts (event posters and invitations, assets); ``crm.uploads.check_upload`` checks
them against ``settings.MARKETING_UPLOAD_MAX_BYTES``."""

POSTER_TYPES = ("png", "jpg", "jpeg", "gif", "webp", "pdf")
INVITATION_TYPES = ("pdf", "png", "jpg", "jpeg", "docx")
ASSET_TYPES = ("png", "jpg", "jpeg", "gif", "webp", "pdf", "docx", "pptx", "xlsx", "mp4", "html", "txt")
