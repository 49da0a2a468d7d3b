"""What the sales services share: the stale-edit check."""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _


class StaleEdit(ValidationError):
    """The record changed since the user opened it; saving would overwrite someone else's work."""


def lock_current(model, obj, *, version=None):
    """Lock the row and refuse when ``version`` (what the user's form was built from) is not current."""
    current = model.objects.select_for_update().get(pk=obj.pk)
    if version is not None and int(version) != current.version:
        raise StaleEdit(
            _(
                "Someone else changed this %(what)s since you opened it. Your changes were not saved: "
                "reload the page to see the current version and make them again."
            )
            % {"what": model._meta.verbose_name}
        )
    return current


def copy_fields(target, data: dict, fields) -> list[str]:
    """Set the ``fields`` present in ``data`` on ``target``; returns the names that changed."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        try:
            current = getattr(target, name)
        except ObjectDoesNotExist:  # a required foreign key not set yet on a new record
            current = None
        if current != data[name]:
            setattr(target, name, data[name])
            changed.append(name)
    return changed
