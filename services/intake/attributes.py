"""Validating a submission's extra attributes against its category (Open311 datatypes). No I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.common.contracts.intake import AttributeDef, AttributeType, CategoryDef
from services.common.errors import InvalidInput

MAX_STRING = 200
MAX_TEXT = 2000


def validate_attributes(category: CategoryDef, given: dict[str, Any]) -> dict[str, Any]:
    """The attributes as stored (typed), or InvalidInput naming every bad `attributes.<code>`."""
    defs = {a.code: a for a in category.attributes}
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for code in given:
        if code not in defs:
            errors[f"attributes.{code}"] = f"not an attribute of {category.code}"
    for code, attr in defs.items():
        value = given.get(code)
        if value is None or value == "" or value == []:
            if attr.required:
                errors[f"attributes.{code}"] = "required"
            continue
        try:
            clean[code] = _coerce(attr, value)
        except ValueError as exc:
            errors[f"attributes.{code}"] = str(exc)
    if errors:
        raise InvalidInput("invalid attributes: " + ", ".join(sorted(errors)), errors)
    return clean


def _coerce(attr: AttributeDef, value: Any) -> Any:
    kind = attr.datatype
    if kind in (AttributeType.string, AttributeType.text):
        limit = MAX_STRING if kind is AttributeType.string else MAX_TEXT
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("must be text")
        text = str(value).strip()
        if len(text) > limit:
            raise ValueError(f"at most {limit} characters")
        return text
    if kind is AttributeType.number:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError("must be a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number")
        return int(number) if number.is_integer() else number
    if kind is AttributeType.datetime:
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 date-time")
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
        except ValueError:
            raise ValueError("must be an ISO 8601 date-time") from None
    keys = {v.key for v in attr.values}
    if kind is AttributeType.singlevaluelist:
        if not isinstance(value, str) or value not in keys:
            raise ValueError(f"must be one of {', '.join(sorted(keys))}")
        return value
    chosen = [value] if isinstance(value, str) else value
    if not isinstance(chosen, list) or not all(isinstance(v, str) and v in keys for v in chosen):
        raise ValueError(f"must be a list of {', '.join(sorted(keys))}")
    return sorted(set(chosen))
