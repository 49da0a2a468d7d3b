"""Errors as JSON: Django's ValidationError (from a form or a service) becomes 400 with the field names,
PermissionDenied 403, a stale version 412; messages are translated per ``Accept-Language``."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record changed since you read it (its ETag no longer matches). Read it again first.")
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is still being processed.")
    default_code = "conflict"


def validation_error_detail(error: ValidationError) -> dict:
    """``{"field": ["message", …], "non_field_errors": […]}`` from a Django ValidationError."""
    if hasattr(error, "error_dict"):
        detail = {}
        for field, errors in error.error_dict.items():
            key = "non_field_errors" if field == NON_FIELD_ERRORS else field
            detail.setdefault(key, []).extend(message for item in errors for message in item.messages)
        return detail
    return {"non_field_errors": list(error.messages)}


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, PermissionDenied):
        # Services word these for the log, not for the user.
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
