"""The six roles of the design, seeded by a data migration and editable in Django admin, and the labels
that show seeded role and team names in the reader's language (the stored names stay as seeded, since
code and data look them up by name)."""

from django.utils.translation import gettext_lazy as _

SALES_REP = "Sales rep"
SALES_MANAGER = "Sales manager"
MARKETING = "Marketing"
SERVICE_AGENT = "Service agent"
EXECUTIVE = "Executive"
ADMINISTRATOR = "Administrator"

# Role names are data (an administrator may rename them); these labels translate the seeded ones.
ROLE_LABELS = {
    SALES_REP: _("Sales rep"),
    SALES_MANAGER: _("Sales manager"),
    MARKETING: _("Marketing"),
    SERVICE_AGENT: _("Service agent"),
    EXECUTIVE: _("Executive"),
    ADMINISTRATOR: _("Administrator"),
}


def role_label(name: str) -> str:
    return str(ROLE_LABELS.get(name, name))


# The demo's seeded team names, translated when shown; teams an administrator names show as named.
TEAM_LABELS = {
    "Demo Co.": _("Demo Co."),
    "Sales": _("Sales"),
    "East sales": _("East sales"),
    "South sales": _("South sales"),
    "Marketing": _("Marketing"),
    "Customer service": _("Customer service"),
}


def team_label(name: str) -> str:
    return str(TEAM_LABELS.get(name, name))
