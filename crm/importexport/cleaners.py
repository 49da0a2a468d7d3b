"""Cell cleaners an app can use in its ImportSpec: each takes text and returns a value or raises."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation
from django.utils.translation import gettext as _

_LIST_SEPARATORS = re.compile(r"[,，;；|、\n]+")


def text(max_length: int):
    def clean(value: str) -> str:
        if len(value) > max_length:
            raise ValidationError(
                _("At most %(limit)d characters (this has %(count)d).") % {"limit": max_length, "count": len(value)}
            )
        return value

    return clean


def _fold(value) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip().casefold()


def choice(choices, languages=("en", "zh-hans"), aliases=None):
    """Accept a choice by its stored value, its label in any of ``languages`` or an alias, in any case.

    A label such as "A – key account" is also accepted by either part ("A", "key account"), and a text
    of two or more characters that begins exactly one label ("医疗" for 医疗健康) is that label's value.
    ``aliases`` maps a value to the other words people use for it ({"it": ["软件", "互联网"]}).
    """
    lookup = {}
    prefixes = {}

    def build():
        for value, label in choices:
            lookup.setdefault(_fold(value), value)
            for language in languages:
                with translation.override(language):
                    shown = str(label)
                lookup.setdefault(_fold(shown), value)
                for part in re.split(r"\s+[–—-]\s+", shown, maxsplit=1):
                    lookup.setdefault(_fold(part), value)
            for alias in (aliases or {}).get(value, ()):
                lookup.setdefault(_fold(alias), value)

    def by_prefix(folded):
        if folded not in prefixes:
            found = {value for name, value in lookup.items() if len(folded) >= 2 and name.startswith(folded)}
            prefixes[folded] = found.pop() if len(found) == 1 else None
        return prefixes[folded]

    seen = {}  # raw text → value: a column repeats a handful of spellings thousands of times

    def clean(value: str):
        if value in seen:
            return seen[value]
        if not lookup:
            build()
        folded = _fold(value)
        found = lookup.get(folded)
        if found is None:
            found = by_prefix(folded)
        if found is None:
            allowed = ", ".join(str(label) for _value, label in choices)
            raise ValidationError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed})
        seen[value] = found
        return found

    return clean


_email = EmailValidator()
_url = URLValidator()
# Plain ASCII addresses, which are nearly all of them, are accepted by one regular expression; anything
# else goes through Django's validator. Every text these accept, Django's validators accept too (tested),
# so a cell is never accepted here that a form would refuse.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_EMAIL = re.compile(rf"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")
_PLAIN_URL = re.compile(rf"https?://(?:{_LABEL}\.)+[A-Za-z]{{2,63}}(?:/[A-Za-z0-9._~%+/-]*)?")
_PLAIN_MAX_LENGTH = 200


def _plain(pattern, value: str) -> bool:
    return len(value) <= _PLAIN_MAX_LENGTH and pattern.fullmatch(value) is not None


def email(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip()
    if _plain(_PLAIN_EMAIL, value):
        return value
    try:
        _email(value)
    except ValidationError:
        raise ValidationError(_("“%(value)s” is not a valid e-mail address.") % {"value": value}) from None
    return value


def url(value: str) -> str:
    """A web address; ``example.com`` is read as ``https://example.com``."""
    if "://" not in value:
        value = f"https://{value}"
    if _plain(_PLAIN_URL, value):
        return value
    try:
        _url(value)
    except ValidationError:
        raise ValidationError(_("“%(value)s” is not a valid web address.") % {"value": value}) from None
    return value


def split_list(value: str) -> list[str]:
    """Names separated by commas, semicolons, '|' or '、' (half- or full-width)."""
    return [part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip()]
