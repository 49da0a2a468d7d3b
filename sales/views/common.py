"""Helpers the sales views share."""

from django.http import Http404


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
