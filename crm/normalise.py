"""How the project folds the many ways people type a phone, an e-mail, an ID number or a word onto one key.

One home for every normaliser: duplicate detection, the import, public forms, search and the keyed
hashes of encrypted fields (``crm.crypto.blind_index``) all call these, so a value typed one way finds
the value stored another way everywhere alike.
"""

import re
import unicodedata

# Applying a normaliser until nothing changes makes it idempotent even for odd Unicode, where one
# NFKC/casefold pass can expose another change. Every pass shortens or keeps the text.
_MAX_PASSES = 8


def fixpoint(step, value: str) -> str:
    for _pass in range(_MAX_PASSES):
        following = step(value)
        if following == value:
            break
        value = following
    return value


# ---------------------------------------------------------------------------------------------
# Phones

_LEADING_PLUS = re.compile(r"^[\s(]*\+")
_MAINLAND_MOBILE = re.compile(r"^1\d{10}$")


_NOT_ASCII_DIGITS = re.compile(r"[^0-9]+")


def _digits(value: str) -> str:
    # Any decimal digit (full-width ３, Arabic-Indic ٣ …) becomes its ASCII digit; the rest goes. Nearly every
    # phone is ASCII, whose only decimal digits are 0–9: one substitution instead of a look-up per character.
    if value.isascii():
        return _NOT_ASCII_DIGITS.sub("", value)
    return "".join(str(unicodedata.decimal(ch)) for ch in value if ch.isdecimal())


def _strip_country_code(digits: str, *, plus: bool) -> str:
    if digits.startswith("0086"):
        rest = digits[4:]
    elif plus and digits.startswith("86"):
        rest = digits[2:]
    elif digits.startswith("86") and _MAINLAND_MOBILE.match(digits[2:]):
        # Bare "86" before a mobile: 13 digits starting 861 are never a domestic number.
        return digits[2:]
    else:
        return digits
    if _MAINLAND_MOBILE.match(rest):
        return rest
    if rest.startswith("0"):
        # "+86 (0)21 6888 8888": the trunk zero is already there.
        return rest
    if 9 <= len(rest) <= 11:
        # "+86 21 6888 8888" is dialled "021 6888 8888" at home: keep the area code, add the zero.
        return "0" + rest
    return digits


def normalise_phone(value) -> str:
    """Digits only, without a mainland country code: '+86 138-0013-8000' → '13800138000'.

    Landlines keep their area code ('(021) 6888-8888' → '02168888888'; '+86 21 6888 8888' gives
    the same). Full-width digits count as digits; spaces, dashes, dots and parentheses go.
    """
    text = unicodedata.normalize("NFKC", str(value or ""))
    digits = _strip_country_code(_digits(text), plus=bool(_LEADING_PLUS.match(text)))
    return fixpoint(_strip_country_code_again, digits)


def _strip_country_code_again(digits: str) -> str:
    return _strip_country_code(digits, plus=False)


# ---------------------------------------------------------------------------------------------
# Text and e-mails


def normalise_text(value) -> str:
    """Width-folded, case-folded and stripped, so '１３８' finds '138' and ' ACME ' finds 'acme'."""
    text = str(value or "")
    if text.isascii():
        # NFKC leaves ASCII as it is and casefold() is lower() there: one pass, already unchanged by another.
        # (An import normalises several values a row; most are ASCII.)
        return text.lower().strip()
    return fixpoint(_text_step, text)


def _text_step(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def normalise_email(value) -> str:
    """Stripped, width-folded and case-folded: ' Li.Lei@Example.COM ' → 'li.lei@example.com'."""
    return normalise_text(value)


# ---------------------------------------------------------------------------------------------
# ID numbers


def normalise_id_number(value) -> str:
    """Upper-case letters and digits only: '11010519491231002x' finds '11010519491231002X'."""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", str(value or "")).upper())
