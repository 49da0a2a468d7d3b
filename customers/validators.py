import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE_CHARS = re.compile(r"^\+?[\d\s\-()]+$")


def validate_phone(value: str) -> None:
    """Accepts what people type: +86 138-0013-8000, (021) 6888 8888, 13800138000."""
    digits = re.sub(r"\D", "", value)
    if not _PHONE_CHARS.match(value) or not 6 <= len(digits) <= 20:
        raise ValidationError(
            _("Enter a valid phone number: digits, spaces, dashes and an optional leading +."),
            code="invalid_phone",
        )
