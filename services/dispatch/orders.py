"""Reading orders: load one the caller may see, view it as `OrderOut`, page through a listing."""

from __future__ import annotations

from collections.abc import Callable

from services.common.aggregate import history_of
from services.common.caller import Caller
from services.common.contracts.dispatch import OrderFilter, OrderOut, OrderPage, TimelineEntry
from services.common.errors import NotFound
from services.common.paging import SEP, PageQuery, encode_cursor, fetch
from services.dispatch.commit import facts, now
from services.dispatch.domain import timers
from services.dispatch.domain.listing import listing
from services.dispatch.domain.order import scope_of
from services.dispatch.domain.scope import can_see
from services.dispatch.models import Order, OrderLine

MAX_SCAN = 500  # a filtered page reads at most this many keys, then hands back its cursor
MAX_LINES = 500  # an order's history as read (a busy order has a few dozen lines)
AFTER_SEP = chr(ord(SEP) + 1)


def load(caller: Caller, order_id: str) -> Order:
    """The order, if the caller may see it (404 otherwise: no existence leak)."""
    order = Order.objects(id=str(order_id)).first()
    if order is None or not can_see(caller, scope_of(facts(order))):
        raise NotFound("no such order", {"order_id": "unknown"})
    return order


def loader(caller: Caller, order_id: str) -> Callable[[], Order]:
    return lambda: load(caller, order_id)


def view(doc: Order, with_history: bool = True) -> OrderOut:
    """The order as its readers see it: the fields `OrderOut` declares, whether it is late,
    and its history (left out of list pages: one more read per item)."""
    order = facts(doc)
    values = {name: getattr(doc, name) for name in OrderOut.model_fields
              if name not in ("overdue", "timeline")}
    return OrderOut.model_validate(values | {"overdue": timers.late(order, now()),
                                             "timeline": history(doc) if with_history else []})


def history(doc: Order) -> list[TimelineEntry]:
    """The order's lines moved to `order_lines` and those still riding in the document."""
    stored = OrderLine.objects(key__gte=f"{doc.id}{SEP}", key__lt=f"{doc.id}{AFTER_SEP}") \
        .order_by("key").limit(MAX_LINES)
    return [TimelineEntry.model_validate(line.to_mongo().to_dict())
            for line in history_of(doc, stored, key=lambda line: line.key)]


def page(who: Caller, want: OrderFilter, query: PageQuery) -> OrderPage:
    """One page, newest first. A filter the key does not serve is checked per item over at
    most MAX_SCAN keys: such a page may hold fewer items than asked, its cursor goes on."""
    field, scope, checks = listing(who, want)
    kept: list[Order] = []
    cursor, scanned = query.cursor, 0
    while True:
        batch = min(query.limit, MAX_SCAN - scanned)
        docs, after = fetch(Order.objects, field, scope, PageQuery(limit=batch, cursor=cursor))
        scanned += len(docs)
        for index, doc in enumerate(docs):
            order = facts(doc)
            if all(check(order) for check in checks):
                kept.append(doc)
            if len(kept) == query.limit:
                more = index < len(docs) - 1 or after is not None
                return _page(kept, encode_cursor(getattr(doc, field)) if more else None)
        if after is None or scanned >= MAX_SCAN:
            return _page(kept, after)
        cursor = after


def _page(docs: list[Order], cursor: str | None) -> OrderPage:
    return OrderPage(items=[view(d, with_history=False) for d in docs], next_cursor=cursor)
