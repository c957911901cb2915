"""Keyset pages on the real store: bounded, newest first, no item skipped or repeated
while new items arrive between pages."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import mongoengine as me
import pytest

from services.common.errors import InvalidInput
from services.common.paging import PageQuery, bounds, decode_cursor, encode_cursor, fetch, page_key

ALIAS = "paging"


class Item(me.Document):
    meta = {"db_alias": ALIAS, "collection": "items", "indexes": ["page_key"]}
    id = me.StringField(primary_key=True)
    page_key = me.StringField(required=True)


@pytest.fixture
def items(store_uri: str) -> Iterator[None]:
    name = f"paging_{uuid.uuid4().hex[:10]}"
    me.connect(db=name, host=store_uri, alias=ALIAS, tz_aware=True,
               uuidRepresentation="standard")
    Item.ensure_indexes()
    yield
    me.get_connection(ALIAS).drop_database(name)
    me.disconnect(ALIAS)


def _add(scope: str, n: int, clock: Iterator[int]) -> list[str]:
    ids = []
    for _ in range(n):
        at = next(clock)
        item_id = f"i{at:05d}"
        Item(id=item_id, page_key=page_key(scope, float(at), item_id)).save(force_insert=True)
        ids.append(item_id)
    return ids


def test_pages_are_bounded_and_cover_every_item_once_while_items_arrive(items):
    clock = itertools.count(1000)
    first = _add("c1", 25, clock)
    _add("c2", 5, clock)  # another list's items never show
    seen, cursor = [], None
    while True:
        docs, cursor = fetch(Item.objects, "page_key", "c1", PageQuery(limit=7, cursor=cursor))
        assert len(docs) <= 7
        seen += [d.id for d in docs]
        _add("c1", 3, clock)  # newer than every cursor handed out
        if cursor is None:
            break
    assert seen == sorted(first, reverse=True)


def test_a_cursor_of_another_list_or_garbage_is_refused_naming_the_cursor():
    other = encode_cursor(page_key("c2", 1.0, "x"))
    for bad in (other, "%%%", encode_cursor("c1")):
        with pytest.raises(InvalidInput) as err:
            bounds("c1", bad)
        assert set(err.value.fields) == {"cursor"}


def test_keys_sort_by_time_then_id_and_refuse_the_separator():
    assert page_key("c", 9.5, "b") < page_key("c", 10.0, "a")
    assert decode_cursor(encode_cursor(page_key("c", 1.0, "a")), "c").startswith("c|")
    with pytest.raises(ValueError):
        page_key("c|x", 1.0, "a")
    assert PageQuery().limit == 20
    with pytest.raises(ValueError):
        PageQuery(limit=101)
