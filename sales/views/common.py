"""Helpers the sales views share."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from crm.forms import apply_validation_error


def call_service(form, service, **kwargs):
    """Run a service for a form; its errors (a stale edit, a rule) land on the form. None on failure."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        apply_validation_error(form, error)
    except PermissionDenied:
        target = "owner" if "owner" in form.fields else None
        form.add_error(target, _("You cannot give records to this user."))
    return None


def render_form_context(*, title, form, cancel_url, parents=(), multipart=False, extra=None):
    context = {"title": title, "form": form, "cancel_url": cancel_url, "parents": parents, "multipart": multipart}
    context.update(extra or {})
    return context


def form_errors_text(form) -> str:
    """Every error of a small inline form (status, assign, close) as one message for the page's top."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def id_param(value) -> int:
    """A record id from the query string or a form; anything else is a 404, never a server error."""
    if not str(value or "").isdigit():
        raise Http404
    return int(value)
