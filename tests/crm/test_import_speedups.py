"""The import's shortcuts give the same answers as the slow paths they stand in for."""

import sys

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crm.importexport import bulk, cleaners

_ALPHABET = st.sampled_from(list("abcXYZ019-_.%+@/:~ \t\\") + ["ä", "中", "..", "--", "https://", "http://", ".com"])


def _accepts(validator, value) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
@example("info1@mail.example.org")
@example("a..b@example.com")
@example("-x@-example-.com")
def test_an_e_mail_the_fast_path_accepts_django_accepts_too(value):
    if cleaners._plain(cleaners._PLAIN_EMAIL, value):
        assert _accepts(EmailValidator(), value)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map(lambda parts: "https://" + "".join(parts)))
@example("https://www.site1.example.com/a/b")
@example("https://-bad.example.com")
@example("https://a.b")
def test_a_url_the_fast_path_accepts_django_accepts_too(value):
    if cleaners._plain(cleaners._PLAIN_URL, value):
        assert _accepts(URLValidator(), value)


@pytest.mark.parametrize(
    ("clean", "value"),
    [(cleaners.email, "not an address"), (cleaners.email, "a..b@example.com"), (cleaners.url, "http://-x-.com")],
)
def test_what_the_fast_paths_do_not_accept_still_meets_djangos_validators(clean, value):
    with pytest.raises(ValidationError):
        clean(value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab中\\\t\n\r N")), max_size=20))
def test_the_copy_escape_shortcut_matches_the_full_translation(value):
    assert bulk._escaped(value) == value.translate(bulk._ESCAPES)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_background_copies_give_back_the_threads_switch_interval_even_after_an_error():
    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError), transaction.atomic(), bulk.background_copies():
        assert sys.getswitchinterval() <= bulk.WRITER_SWITCH_INTERVAL
        raise RuntimeError("the import failed")
    assert sys.getswitchinterval() == before
