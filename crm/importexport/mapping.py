"""Guessing which column holds which field from the header row; the user can correct the guess."""

import re
import unicodedata

from .spec import ImportSpec

_IGNORED = re.compile(r"[\s_\-–—·.:：*()（）\[\]【】/]+")


def normalise_header(text) -> str:
    """Fold case, width and punctuation: '客户名称 *', 'Customer_Name' and 'ＥＭＡＩＬ' match their plain forms."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", str(text or "")).casefold())


def guess_mapping(headers, spec: ImportSpec) -> dict[int, str]:
    """Column index → field key for every header that names a field by key, label or alias (first wins)."""
    names = {}
    for item in spec.fields:
        for name in (item.key, str(item.label), *item.aliases):
            names.setdefault(normalise_header(name), item.key)
    mapping, taken = {}, set()
    for index, header in enumerate(headers):
        key = names.get(normalise_header(header))
        if key and key not in taken:
            mapping[index] = key
            taken.add(key)
    return mapping


def missing_required(mapping: dict[int, str], spec: ImportSpec) -> list:
    mapped = set(mapping.values())
    return [item for item in spec.fields if item.required and item.key not in mapped]
