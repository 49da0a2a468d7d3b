"""Pagination that never counts more rows than it needs to.

An exact COUNT(*) over a million rows costs more than the page itself, so lists count at most
``LIST_COUNT_LIMIT`` rows and show "10,000+" beyond that.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    @cached_property
    def count(self):
        limit = settings.LIST_COUNT_LIMIT
        # Order and joined columns cannot change a count; without them PostgreSQL counts from the index.
        return self.object_list.order_by().values("pk")[: limit + 1].count()

    @property
    def is_capped(self):
        return self.count > settings.LIST_COUNT_LIMIT


def paginate(queryset, request, per_page=25):
    paginator = CappedPaginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
