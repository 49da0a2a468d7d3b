"""Whose language a text is written in: its reader's.

A page is in the language of the person asking for it (the middleware activates their preference).
Everything read later or by someone else — an e-mail, a notification, a PDF made in the background,
a reminder — is rendered inside :func:`for_reader`, with the reader's preference, or the company
language (``LANGUAGE_CODE``) for a reader who has none.

A reader who is not a user — a visitor who sent a ticket or registered for an event on a public page —
is represented by that record: it keeps the language of the page (:func:`page_language`) in its own
``language`` field, and ``for_reader(ticket)`` writes to them in it.
"""

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation


def page_language() -> str:
    """The language of the page being answered (the visitor's choice on a public page)."""
    return translation.get_language() or ""


def reader_language(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


@contextmanager
def for_reader(user):
    """``with for_reader(user): ...`` renders the texts made inside in ``user``'s language."""
    with translation.override(reader_language(user)):
        yield
