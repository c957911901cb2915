"""Typed errors a service raises; the gateway maps each to one HTTP status once.

They travel over nameko RPC as themselves: every subclass registers with nameko's
exception registry, so a remote raise deserialises to the same class with its
code, message and per-field reasons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from nameko.exceptions import deserialize_to_instance


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None,
                 detail: dict[str, Any] | None = None) -> None:
        super().__init__(message, fields or {}, detail or {})
        self.message = message
        self.fields = fields or {}
        self.detail = detail or {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            # nameko rebuilds a remote error as cls(*args): only this signature survives.
            raise TypeError(f"{cls.__name__} must keep DomainError's constructor")
        deserialize_to_instance(cls)

    def __str__(self) -> str:
        return self.message


deserialize_to_instance(DomainError)


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The record is not in a state that allows this (e.g. an illegal transition)."""

    status = 409
    code = "conflict"


class AlreadyExists(DomainError):
    status = 409
    code = "already_exists"


class PayloadTooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


# A rule spanning several fields names the one at fault as "field: reason".
_NAMED = re.compile(r"^(?:Value error, )?([A-Za-z_][A-Za-z0-9_.]*): (.+)$", re.S)


def field_errors(errors: Iterable[dict[str, Any]],
                 skip: Iterable[str] = ("body", "query", "path")) -> dict[str, str]:
    """Pydantic error details as {dotted field: reason}."""
    skipped = set(skip)
    fields: dict[str, str] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in skipped]
        reason = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if (named := _NAMED.match(reason)) and not err.get("loc"):
            loc, reason = [named.group(1)], named.group(2)
        elif named and err.get("type") == "value_error":
            loc, reason = [*loc, named.group(1)], named.group(2)
        fields[".".join(loc) or "body"] = reason
    return fields


def invalid_from_pydantic(exc: Any) -> InvalidInput:
    """Turn a pydantic ValidationError into InvalidInput naming each bad field."""
    fields = field_errors(exc.errors(), skip=())
    return InvalidInput("invalid input: " + ", ".join(sorted(fields)), fields)
