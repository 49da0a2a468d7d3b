"""The checks of a customer row that need the importing user or the whole row."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.selectors import assignable_users
from crm.scope import Module


class OwnerColumn:
    """Reads the owner column: a user name or e-mail of someone the importer may give customers to."""

    def __init__(self, *, actor):
        self.actor = actor
        self._owners = None

    def __call__(self, value: str):
        if self._owners is None:
            self._owners = {}
            for user in assignable_users(user=self.actor, module=Module.CUSTOMERS):
                self._owners.setdefault(user.username.casefold(), user)
                if user.email:
                    self._owners.setdefault(user.email.casefold(), user)
        owner = self._owners.get(value.strip().casefold())
        if owner is None:
            raise ValidationError(_("“%(value)s” is not a user you can give customers to.") % {"value": value})
        return owner


def validate_row(row):
    if (row.get("contact_mobile") or row.get("contact_email")) and not row.get("contact_name"):
        raise ValidationError({"contact_name": _("Enter the contact's name to go with the mobile or e-mail.")})
    return row
