"""Whose language a text is written in: its reader's.

A page is in the language of the person asking for it (the middleware activates their preference).
Everything read later or by someone else — an e-mail, a notification, a PDF made in the background,
a reminder — is rendered inside :func:`for_reader`, with the reader's preference, or the company
language (``LANGUAGE_CODE``) for a reader who has none.
"""

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation


def reader_language(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


@contextmanager
def for_reader(user):
    """``with for_reader(user): ...`` renders the texts made inside in ``user``'s language."""
    with translation.override(reader_language(user)):
        yield
