"""Helpers for RPC entrypoints: every RPC takes the caller context first, then
plain dicts validated against contract models, and returns plain dicts."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.common.caller import Caller
from services.common.errors import InvalidInput, Unauthenticated, invalid_from_pydantic

M = TypeVar("M", bound=BaseModel)


def as_caller(data: dict[str, Any] | Caller) -> Caller:
    if isinstance(data, Caller):
        return data
    try:
        return Caller.model_validate(data)
    except ValidationError as exc:
        raise Unauthenticated("missing or malformed caller context") from exc


def parse(model: type[M], data: Any) -> M:
    """Validate `data` against `model`; a failure is InvalidInput naming each field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from_pydantic(exc) from exc


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


__all__ = ["InvalidInput", "as_caller", "dump", "parse"]
