"""The text a record is found by: its normalised search document and that document's CJK bigrams.

Pure functions of the record's values, so the models that store them (``customers.models``, and every
:class:`~customers.search.SearchableModel`) and the bulk writers can work them out; the queries that search by them
are in ``customers.search``.
"""

import re

from crm.normalise import normalise_text

_NON_DIGITS = re.compile(r"\D")


def phone_digits(value: str) -> str:
    return _NON_DIGITS.sub("", value or "")


def customer_search_parts(name, phone, email) -> list[str]:
    return [name, phone, phone_digits(phone), email]


def contact_search_parts(name, phone, email) -> list[str]:
    # The mobile is encrypted at rest, so it stays out of this plain-text column: it is found by its keyed
    # hash instead (see customer_search).
    return [name, phone, email]


def contact_search_text(name, phone, email) -> str:
    return search_text(contact_search_parts(name, phone, email))


def search_text(parts) -> str:
    # A part said twice (a mobile typed as bare digits is also its own digit form) is written once: every
    # character of the document costs trigram index work on each save and import.
    return " ".join(dict.fromkeys(normalise_text(p) for p in parts if p))


def search_document(customer, contacts) -> str:
    parts = customer_search_parts(customer.name, customer.phone, customer.email)
    for contact in contacts:
        parts += contact_search_parts(contact.name, contact.phone, contact.email)
    return search_text(parts)


# Chinese, Japanese and Korean script: ideographs (with extension A and the compatibility block), kana, hangul.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_CJK_ONLY = re.compile(f"[{_CJK}]{{1,2}}")
# The same grams worked out in SQL (migrations backfill with it; a test keeps the two alike).
SEARCH_GRAMS_SQL_FUNCTION = "crm_search_grams"


def search_grams(text: str) -> str:
    """The CJK character bigrams of ``text`` (already normalised), plus the last character of each run,
    as the text of a ``tsvector``.

    A trigram index cannot answer a search shorter than three characters, and Chinese names are searched by
    two (``云杉`` in 杭州云杉智能科技有限公司). A two-character search is one bigram lexeme; a one-character
    search is the prefix query ``'王':*``, which every bigram starting with it and every run's last character
    match. Latin text stays out: words that short are found as prefixes (see ``customer_search``).
    """
    grams = {}
    for run in _CJK_RUN.findall(text):
        for i in range(len(run)):
            grams[run[i : i + 2]] = None
    return " ".join(grams)


def is_short_cjk(text: str) -> bool:
    return _CJK_ONLY.fullmatch(text) is not None
