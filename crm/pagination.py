"""Pagination that never counts more rows than it needs to.

An exact COUNT(*) over a million rows costs more than the page itself, so lists count at most
``LIST_COUNT_LIMIT`` rows and show "10,000+" beyond that. A count that reached the cap is kept in the cache for
``LIST_COUNT_CACHE_SECONDS`` under its query's SQL: "more than 10,000" stays true from one page to the next, and the
capped count (a scan of 10,001 rows) was the most expensive query of a large list. A count under the cap is never
kept, so a record just added or removed shows in it at once.

Every page is read in a total order (crm.ordering): the list's own order, then the primary key, so rows that tie on
the list's keys come in one order on every page and each shows exactly once.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

from crm.ordering import unique_order
from crm.scope import first_rows


class CappedPaginator(Paginator):
    def __init__(self, object_list, *args, **kwargs):
        super().__init__(unique_order(object_list), *args, **kwargs)

    @cached_property
    def count(self):
        limit = settings.LIST_COUNT_LIMIT
        # Order and joined columns cannot change a count; without them PostgreSQL counts from the index.
        capped = self.object_list.order_by().values("pk")[: limit + 1]
        seconds = settings.LIST_COUNT_CACHE_SECONDS
        if not seconds:
            return capped.count()
        key = _cache_key(capped)
        if cache.get(key):
            return limit + 1
        count = capped.count()
        if count > limit:
            cache.set(key, True, seconds)
        return count

    def page(self, number):
        # Paginator.page, with the rows up to the page's last read through the scope's own indexes (first_rows).
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(first_rows(self.object_list, top)[bottom:top], number, self)

    @property
    def is_capped(self):
        return self.count > settings.LIST_COUNT_LIMIT


def _cache_key(queryset) -> str:
    # The SQL holds the scope (owner, teams, shares) and every filter, so equal SQL means an equal count.
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    digest = hashlib.sha256(f"{connections[queryset.db].settings_dict['NAME']}\0{sql}\0{params!r}".encode())
    return f"list-count-capped:{digest.hexdigest()}"


def paginate(queryset, request, per_page=25):
    paginator = CappedPaginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
