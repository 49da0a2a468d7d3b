"""Writes to customer records, one module per area. The customer and contact writes are the core."""

from .customers import (
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    customer_delete,
    customer_delete_blockers,
    customer_refresh_search,
    customer_update,
    customers_add_tag,
    customers_assign_owner,
)

__all__ = [
    "contact_create", "contact_delete", "contact_update", "customer_create", "customer_delete",
    "customer_delete_blockers",
    "customer_refresh_search", "customer_update", "customers_add_tag", "customers_assign_owner",
]  # fmt: skip
