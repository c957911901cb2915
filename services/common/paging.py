"""Keyset pagination: every list is a page of at most `MAX_PAGE` items and an opaque cursor.

One access pattern, one composite key field on the document (`page_key`, indexed on
its own): `scope|<fixed-width epoch>|<id>`. A page is a range on that one field,
sorted by that same field, with a limit: the only sorted range the embedded store
answers from its index (docs/store.md), and flat on MongoDB too. Newest first: an
item that arrives while a reader pages has a key above every cursor handed out, so
it is neither skipped nor repeated (it shows on the next first page).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, ValidationError

from services.common.errors import InvalidInput, invalid_from_pydantic

MAX_PAGE = 100
DEFAULT_PAGE = 20
SEP = "|"
AFTER_SEP = chr(ord(SEP) + 1)  # the least string above every key with this prefix
_AFTER_SEP = AFTER_SEP

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list and the cursor of the next one (null on the last page)."""

    items: list[T]
    next_cursor: str | None = None


class PageQuery(BaseModel):
    """What a caller may ask of a list: a page size up to `MAX_PAGE` and a cursor."""

    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(None, max_length=512)

    @classmethod
    def of(cls, limit: int | None, cursor: str | None) -> PageQuery:
        """An entrypoint's `limit` and `cursor` arguments (None: not given), checked; a bad
        one is InvalidInput naming it."""
        given = {k: v for k, v in (("limit", limit), ("cursor", cursor)) if v is not None}
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            raise invalid_from_pydantic(exc) from exc


def page_key(scope: str, at: float, item_id: str) -> str:
    """The sort key of an item in the listing of `scope`, ordered by time then id."""
    if SEP in scope or SEP in item_id:
        raise ValueError(f"{SEP!r} is reserved in page keys")
    return f"{scope}{SEP}{at:017.6f}{SEP}{item_id}"


def scope_key(*parts: str) -> str:
    """A listing's scope from its parts (community, reporter, state...)."""
    return ":".join(parts)


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> str:
    """The key a cursor stands for; a cursor of another listing is refused, not followed."""
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("malformed cursor", {"cursor": "malformed"}) from exc
    if not key.startswith(scope + SEP):
        raise InvalidInput("the cursor belongs to another list", {"cursor": "not of this list"})
    return key


def bounds(scope: str, cursor: str | None) -> dict[str, str]:
    """The range filter (`$gte`/`$lt`) on the key field for the page after `cursor`."""
    upper = decode_cursor(cursor, scope) if cursor else scope + _AFTER_SEP
    return {"$gte": scope + SEP, "$lt": upper}


def fetch(queryset: Any, field: str, scope: str, query: PageQuery) -> tuple[list[Any], str | None]:
    """The documents of one page (newest first) and the next cursor.

    `queryset` must not be filtered on anything but what `scope` already implies:
    a filter applied beside the range would make pages shorter than their limit
    without the reader knowing why, or, on the embedded store, scan.
    """
    rng = bounds(scope, query.cursor)
    docs = list(queryset.filter(**{f"{field}__gte": rng["$gte"], f"{field}__lt": rng["$lt"]})
                .order_by(f"-{field}").limit(query.limit + 1))
    more = len(docs) > query.limit
    docs = docs[:query.limit]
    return docs, (encode_cursor(getattr(docs[-1], field)) if more and docs else None)
