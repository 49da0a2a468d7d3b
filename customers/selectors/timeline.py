"""The customer 360 timeline: every source of :mod:`customers.timeline` merged, newest first.

A page costs a fixed number of queries whatever the customer's history holds: one capped count and
one page of the ``UNION ALL`` of all sources (both in SQL, ordered by time with LIMIT/OFFSET), then
one query per kind present on the page to load its rows.
"""

from dataclasses import dataclass

from crm.pagination import CappedPaginator

from ..timeline import TIMELINE_SOURCES, TimelineSource, source_values


@dataclass
class TimelineEntry:
    kind: str
    source: TimelineSource
    at: object
    title: str
    item: object


def timeline_rows(*, user, customer):
    """The merged rows ``(kind, id, at, title)`` of every source, newest first, as one lazy query."""
    parts = [source_values(source, customer, user) for source in TIMELINE_SOURCES.values()]
    return parts[0].union(*parts[1:], all=True).order_by("-tl_at", "-tl_kind", "-tl_id")


def customer_timeline(*, user, customer, page_number=1, per_page: int = 25):
    """One page of the customer's timeline; ``page.object_list`` holds :class:`TimelineEntry` items.
    The caller has already checked that ``user`` may see ``customer``."""
    page = CappedPaginator(timeline_rows(user=user, customer=customer), per_page).get_page(page_number)
    rows = list(page.object_list)
    ids_by_kind: dict[str, list[int]] = {}
    for kind, item_id, _at, _title in rows:
        ids_by_kind.setdefault(kind, []).append(item_id)
    loaded = {}
    for kind, ids in ids_by_kind.items():
        source = TIMELINE_SOURCES[kind]
        loaded[kind] = {getattr(obj, source.id_field): obj for obj in source.load(ids)}
    page.object_list = [
        TimelineEntry(kind=kind, source=TIMELINE_SOURCES[kind], at=at, title=title, item=loaded[kind][item_id])
        for kind, item_id, at, title in rows
        if item_id in loaded[kind]
    ]
    return page
