from django.core.exceptions import NON_FIELD_ERRORS


def apply_validation_error(form, error) -> None:
    """Put a service's ValidationError onto the form fields it names, so the user sees it in place."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target if target != NON_FIELD_ERRORS else None, item)
    else:
        form.add_error(None, error)
