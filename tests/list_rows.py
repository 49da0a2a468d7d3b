"""Reading the rows a list page shows: most lists' pages hold model instances, the customer list's hold values
(customers.selectors.customer_list_rows)."""

from customers.models import Customer


def row_pk(row):
    return row["pk"] if isinstance(row, dict) else row.pk


def shown_customers(page) -> list:
    """The customers a page of the customer list shows, as model instances in the page's order."""
    pks = [row["pk"] for row in page]
    found = Customer.objects.in_bulk(pks)
    return [found[pk] for pk in pks]
