"""Pagination that never counts more rows than it needs to.

An exact COUNT(*) over a million rows costs more than the page itself, so lists count at most
``LIST_COUNT_LIMIT`` rows and show "more than 10,000" beyond that. A list searched by text counts at most
``SEARCH_COUNT_LIMIT`` matches ("more than 1,000"): a common word's matches are found through the text index and
the scope's, and counting each one reads its row (a rep's `建华`: 7,675 contacts, 220–370 ms, on every request since a
count under the cap is never cached). Past the count's cap the pages go on — each page reads one row more than it
shows to know whether another follows — down to the ``LIST_COUNT_LIMIT`` rows of any list.

A count that reached the cap is kept in the cache for ``LIST_COUNT_CACHE_SECONDS`` under its query's SQL (and in
each process that read it, until the same moment): "more than 10,000" stays true from one page to the next, and the
capped count (a scan of 10,001 rows) was the most expensive query of a large list. A count under the cap is never
kept, so a record just added or removed shows in it at once.

A page's rows are read when the page is made, so no list's SELECT runs while its template draws. Every page is read
in a total order (crm.ordering): the list's own order, then the primary key, so rows that tie on
the list's keys come in one order on every page and each shows exactly once.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property

from crm.ordering import unique_order
from crm.scope import first_rows


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, count_limit=None):
        super().__init__(unique_order(object_list), per_page, orphans, allow_empty_first_page)
        self.count_limit = min(count_limit or settings.LIST_COUNT_LIMIT, settings.LIST_COUNT_LIMIT)

    @cached_property
    def count(self):
        limit = self.count_limit
        # Order and joined columns cannot change a count; without them PostgreSQL counts from the index.
        capped = self.object_list.order_by().values("pk")[: limit + 1]
        seconds = settings.LIST_COUNT_CACHE_SECONDS
        if not seconds:
            return capped.count()
        try:
            key = _cache_key(capped)
        except EmptyResultSet:
            # A condition that can match nothing (``pk__in=[]``: a search naming no customer) has no SQL; Django's
            # own count answers 0 for it without a query.
            return 0
        now = time.time()
        if _capped_here.get(key, 0) > now:
            return limit + 1
        until = cache.get(key)
        if until:
            if until is not True:  # an entry from before the moment was kept in it
                _remember_capped(key, until)
            return limit + 1
        count = capped.count()
        if count > limit:
            until = now + seconds
            cache.set(key, until, seconds)
            _remember_capped(key, until)
        return count

    @cached_property
    def num_pages(self):
        if self.is_capped:
            # As many pages as LIST_COUNT_LIMIT rows (and the one after) fill; each page says if another follows.
            return math.ceil((settings.LIST_COUNT_LIMIT + 1) / self.per_page)
        return super().num_pages

    def page(self, number):
        # Paginator.page, with the rows up to the page's last read through the scope's own indexes (first_rows).
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.is_capped:
            if top + self.orphans >= self.count:
                top = self.count
            # Read here, in the view: a template drawing the page would otherwise run its SELECT.
            return self._get_page(list(first_rows(self.object_list, top)[bottom:top]), number, self)
        rows = list(first_rows(self.object_list, top + 1)[bottom : top + 1])
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page and number < self.num_pages
        return page

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)

    @property
    def is_capped(self):
        return self.count > self.count_limit


class CappedPage(Page):
    # Past a capped count, whether another page follows is known from the row read after this page's last.
    more = None

    def has_next(self):
        return super().has_next() if self.more is None else self.more

    def end_index(self):
        return super().end_index() if self.more is None else self.start_index() + len(self.object_list) - 1


# Capped counts this process has read or made, each until the moment its cache entry expires: a page past the cap
# reads the cache once a minute in each process instead of on every request (a round trip, ~0.15 ms of a list's
# CPU at 1,000,000 rows). Bounded: cleared when it holds more keys than any real use does.
_capped_here: dict[str, float] = {}
_CAPPED_HERE_MAX = 4096


def _remember_capped(key: str, until: float) -> None:
    if len(_capped_here) >= _CAPPED_HERE_MAX:
        _capped_here.clear()
    _capped_here[key] = until


def _cache_key(queryset) -> str:
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    return capped_count_key(queryset.db, sql, params)


def capped_count_key(alias, sql, params) -> str:
    """The cache key under which a capped count that reached its cap is kept (``LIST_COUNT_CACHE_SECONDS``): the SQL
    holds the scope (owner, teams, shares), every filter and the cap, so equal SQL means an equal count."""
    digest = hashlib.sha256(f"{connections[alias].settings_dict['NAME']}\0{sql}\0{params!r}".encode())
    return f"list-count-capped:{digest.hexdigest()}"


def paginate(queryset, request, per_page=25, *, searched=False):
    """One page of ``queryset`` for ``request``'s ``page``; ``searched``: the list is narrowed by a text search, so
    its count stops at ``SEARCH_COUNT_LIMIT``."""
    count_limit = settings.SEARCH_COUNT_LIMIT if searched else None
    paginator = CappedPaginator(queryset, per_page, count_limit=count_limit)
    return paginator.get_page(request.GET.get("page"))
