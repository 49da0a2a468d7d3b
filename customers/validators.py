import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE_CHARS = re.compile(r"^\+?[\d\s\-()]+$")
_NON_DIGITS = re.compile(r"\D")


def validate_phone(value: str) -> None:
    """Accepts what people type: +86 138-0013-8000, (021) 6888 8888, 13800138000."""
    digits = _NON_DIGITS.sub("", value)
    if not _PHONE_CHARS.match(value) or not 6 <= len(digits) <= 20:
        raise ValidationError(
            _("Enter a valid phone number: digits, spaces, dashes and an optional leading +."),
            code="invalid_phone",
        )


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def validate_id_number(value: str) -> None:
    """A mainland resident ID (18 characters, checksum verified) or another document number (6–20 letters/digits)."""
    text = re.sub(r"\s", "", value or "").upper()
    if re.fullmatch(r"\d{17}[\dX]", text):
        if _ID_CHECK[sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True)) % 11] == text[-1]:
            return
        raise ValidationError(_("This resident ID number's check digit is wrong."), code="invalid_id_checksum")
    if not re.fullmatch(r"[0-9A-Z]{6,20}", text):
        raise ValidationError(_("Enter a valid ID number: 6 to 20 letters and digits."), code="invalid_id_number")
