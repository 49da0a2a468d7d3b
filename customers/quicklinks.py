"""Quick links on the customer page that lead into apps to the right ("New opportunity", "New ticket")
together with the customer's open records there — without this app importing them.

Apps to the right register from their ``AppConfig.ready()``::

    from customers.quicklinks import QuickLink, register_quick_link

    register_quick_link(QuickLink(
        key="opportunity", label=_("New opportunity"), icon="bi-funnel",
        url=lambda customer: reverse("sales:opportunity-create") + f"?customer={customer.pk}",
        permission="sales.add_opportunity",
        open_label=_("Open opportunities"), view_permission="sales.view_opportunity",
        open_items=lambda customer, user: Opportunity.objects.visible_to(user).filter(customer=customer, ...),
    ))

``open_items(customer, user)`` returns a queryset already scoped to the user; each row needs ``__str__``
and ``get_absolute_url`` without further queries. The page takes at most ``OPEN_LIMIT`` rows of each, so it
costs one query per registered link whatever the customer has.
"""

from collections.abc import Callable
from dataclasses import dataclass

OPEN_LIMIT = 5


@dataclass(frozen=True)
class QuickLink:
    key: str
    label: object
    url: Callable  # (customer) -> str
    permission: str
    icon: str = "bi-plus-lg"
    open_label: object = None
    open_items: Callable | None = None  # (customer, user) -> QuerySet
    view_permission: str = ""


QUICK_LINKS: dict[str, QuickLink] = {}


def register_quick_link(link: QuickLink) -> None:
    """Add a link, or replace the one with the same key (so a reloaded app does not add it twice)."""
    QUICK_LINKS[link.key] = link


def customer_quick_links(*, customer, user) -> list[dict]:
    """The links the user may follow and the open records the user may see, in registration order."""
    shown = []
    for link in QUICK_LINKS.values():
        can_add = user.has_perm(link.permission)
        can_view = link.open_items is not None and user.has_perm(link.view_permission)
        if not (can_add or can_view):
            continue
        items = list(link.open_items(customer, user)[: OPEN_LIMIT + 1]) if can_view else []
        shown.append(
            {
                "link": link,
                "url": link.url(customer) if can_add else "",
                "items": items[:OPEN_LIMIT],
                "more": len(items) > OPEN_LIMIT,
                "show_open": can_view,
            }
        )
    return shown
