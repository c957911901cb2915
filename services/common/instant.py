"""Datetimes as the stores give them back (nx-27017 keeps a `$set` datetime as text)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import mongoengine as me


def as_utc(value: datetime | str | None) -> datetime | None:
    """A UTC datetime from what the store returns: nx-27017 keeps a datetime written by
    `$set` (any update) as naive text, and sub-document datetimes may come back naive."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


class Instant(me.DateTimeField):
    """A UTC datetime that reads back as one wherever the store kept it as text.

    Range queries cannot rely on it (docs/store.md): what is queried by time is
    also stored as epoch seconds.
    """

    def to_python(self, value: Any) -> Any:
        return as_utc(value) if isinstance(value, str | datetime) else value
