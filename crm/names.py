"""How a person's name is shown: the one function every page, export and chart uses."""

import re

# Han, kana and hangul: names written in these read family name first, with no space (张伟, 山田太郎).
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def full_name(first_name: str, last_name: str, fallback: str = "") -> str:
    """ "Emily Chen" for a Western name, "张伟" for a Chinese one; ``fallback`` (a user name) when empty."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if _CJK.search(first + last):
        return f"{last}{first}" or fallback
    return f"{first} {last}".strip() or fallback
