"""Encryption of sensitive values at rest (ID numbers, personal mobiles) and their keyed hashes.

- Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the ``cryptography`` package)
  under ``FIELD_ENCRYPTION_KEYS``: the first key encrypts, every key decrypts, so a new key can be put
  in front and ``manage.py rotate_encryption_key`` re-encrypts the rows under it.
- Encryption is randomised, so equal values give different ciphertexts and cannot be searched. Exact
  search goes through a keyed hash (HMAC-SHA256 under ``FIELD_HASH_KEY``) of the normalised value,
  stored in a column of its own: without the key the hash says nothing about the value.
- Lists show values masked (``mask``) to users without the permission to see them.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .normalise import normalise_id_number, normalise_phone, normalise_text


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key for ``purpose`` derived from a secret (development defaults only)."""
    return hashlib.sha256(f"crm-{purpose}:{secret}".encode()).digest()


def development_fernet_key(secret: str) -> str:
    return base64.urlsafe_b64encode(derive_key(secret, "field-encryption")).decode()


_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _bech32(hrp: str, data: bytes) -> str:
    """BIP-173 Bech32, the text form of age keys (no library offers only the encoding)."""
    bits = "".join(f"{byte:08b}" for byte in data)
    bits += "0" * (-len(bits) % 5)
    words = [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _bech32_polymod(expanded + words + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32_CHARSET[w] for w in words + checksum)


def development_age_identity(secret: str) -> str:
    """An age secret key (``AGE-SECRET-KEY-1…``) derived from a secret: backups in development and tests
    are encrypted like production ones without anyone having to make a key."""
    return _bech32("age-secret-key-", derive_key(secret, "backup-encryption")).upper()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds an invalid key: {error}") from error


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise DecryptionError("A stored value cannot be decrypted with the configured keys.") from error


def is_current(token: str) -> bool:
    """True when ``token`` is encrypted under the first (current) key."""
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


# ---- Keyed hashes for exact search -------------------------------------------------------------


NORMALISERS = {"phone": normalise_phone, "id_number": normalise_id_number, "text": normalise_text}


def blind_index(value: str, kind: str = "text") -> str:
    """The keyed hash of a value for exact search; empty for an empty value."""
    return keyed_hash(NORMALISERS[kind](value), kind)


def keyed_hash(normalised: str, kind: str) -> str:
    """:func:`blind_index` of a value already normalised for ``kind`` (a bulk import has the normalised
    phone at hand; normalising it again would double the cost per row)."""
    if not normalised:
        return ""
    mac = _keyed_hash_start(settings.FIELD_HASH_KEY).copy()  # the key's setup is done once, not per value
    mac.update(f"{kind}:{normalised}".encode())
    return mac.hexdigest()


@cache
def _keyed_hash_start(key: str):
    return hmac.new(key.encode("utf-8"), digestmod=hashlib.sha256)


# ---- Display -----------------------------------------------------------------------------------


def mask(value) -> str:
    """Keep the first three and last four characters of long values ('138****8000'), fewer of short ones."""
    text = "" if value is None else str(value)
    length = len(text)
    if length == 0:
        return ""
    if length <= 4:
        return "*" * length
    head = 3 if length >= 10 else 1
    return text[:head] + "*" * (length - head - 4) + text[-4:]
