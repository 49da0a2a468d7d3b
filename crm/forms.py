"""Service errors onto the page, one way: a view with a form runs a service through :func:`call_service`, and
whatever the service refuses (a ``ValidationError`` naming fields, a ``PermissionDenied`` for an owner the
user may not give records to) shows on the form in place; a button without a form runs it inside
:func:`refusal_as_message`, and the refusal shows as an error message on the next page."""

from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value is an ISO date whatever the language: Django would otherwise
    render the language's first input format (``2026/12/05`` in Chinese), which the picker cannot read, so
    it shows empty and sends nothing."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format)


def apply_validation_error(form, error) -> None:
    """Put a service's ValidationError onto the form fields it names, so the user sees it in place."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target if target != NON_FIELD_ERRORS else None, item)
    else:
        form.add_error(None, error)


def call_service(form, service, /, **kwargs):
    """Run ``service(**kwargs)`` for ``form``: its result, or None when it refused and the form now carries
    why. A service that returns nothing succeeded when ``form.errors`` stayed empty.

    On a form with an ``owner`` field, a ``PermissionDenied`` is the owner the user may not give records
    to and lands on that field; elsewhere it answers 403 as it would without the form."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        apply_validation_error(form, error)
    except PermissionDenied:
        if "owner" not in form.fields:
            raise
        form.add_error("owner", _("You cannot give records to this user."))
    return None


@contextmanager
def refusal_as_message(request):
    """Run the ``with`` block for a button without a form (complete, publish, undo …): when a service in it
    refuses with a ``ValidationError``, the rest of the block (its success message, its redirect) is
    skipped and the reasons become one error message for the page the view answers with next."""
    try:
        yield
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
