"""`paging.slice_of`: pages of a list a document holds, the cursor a position in it."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput
from services.common.paging import PageQuery, encode_cursor, slice_of


def test_pages_walk_the_list_once_in_order():
    rows, seen, cursor = list(range(7)), [], None
    while True:
        page, cursor = slice_of(rows, "members:o-1", PageQuery(limit=3, cursor=cursor))
        seen += page
        if cursor is None:
            break
    assert seen == rows


def test_a_cursor_of_another_list_or_malformed_is_refused():
    _, cursor = slice_of(list(range(5)), "members:o-1", PageQuery(limit=2))
    with pytest.raises(InvalidInput):
        slice_of([], "members:o-2", PageQuery(limit=2, cursor=cursor))
    with pytest.raises(InvalidInput) as refused:
        slice_of([], "members:o-1", PageQuery(limit=2, cursor=encode_cursor("members:o-1|x")))
    assert refused.value.fields == {"cursor": "malformed"}
