"""Safe field types every contract is built from: input validation lives here, once.

Each type refuses what broke or polluted the platform when it was let through: lone
UTF-16 surrogates (they cannot be encoded to UTF-8 or BSON), control and bidi-override
characters (they hide or reorder text on the screens staff read), integers past 64 bits
(BSON has no such type), NaN and ±Infinity (JSON has no such value; every comparison with
them is false), dates the calendar cannot shift to UTC, `$`- and dotted keys (operators
and paths to the store), and JSON too deep or too large to walk cheaply.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MIN_DATE = datetime(1970, 1, 1, tzinfo=UTC)
MAX_DATE = datetime(2200, 1, 1, tzinfo=UTC)
MAX_JSON_DEPTH = 3  # a free dict: {key: scalar or [scalars]} and one level more
MAX_JSON_NODES = 200
MAX_JSON_TEXT = 2000
MAX_VERTICES = 2000  # a grid's polygon: a point-in-polygon test walks every vertex
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,95}$"
CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")

# C0 and C1 controls other than \t and \n, DEL, bidi embeddings/overrides (U+202A-U+202E)
# and isolates (U+2066-U+2069), and lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_LINE = re.compile("[\t\n]")


def _reason(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return "contains a lone UTF-16 surrogate"
    if "\u202a" <= char <= "\u2069":
        return f"contains the bidi control U+{ord(char):04X}"
    return f"contains the control character U+{ord(char):04X}"


def safe_text(value: str) -> str:
    """Refuse unsafe characters; \\r\\n and lone \\r become \\n (what a textarea sends)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if bad := _UNSAFE.search(value):
        raise ValueError(_reason(bad.group()))
    return value


def safe_line(value: str) -> str:
    """One line: no tab or newline either."""
    value = safe_text(value)
    if _UNSAFE_LINE.search(value):
        raise ValueError("must be one line")
    return value


def Text(max_length: int, min_length: int = 0, line: bool = False) -> Any:  # noqa: N802
    """Stripped text of at most `max_length` characters; `min_length=1`: blank is refused."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length),
                     AfterValidator(safe_line if line else safe_text)]


Name = Text(80, min_length=1, line=True)
Summary = Text(500, min_length=1)
Note = Text(500)
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]

Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Hours = Annotated[float, Field(gt=0, le=24 * 366, allow_inf_nan=False)]
Minutes = Annotated[float, Field(gt=0, le=24 * 60, allow_inf_nan=False)]
RadiusM = Annotated[float, Field(gt=0, le=50_000, allow_inf_nan=False)]


def in_calendar(value: datetime) -> datetime:
    """Within 1970..2200, compared before any shift to UTC (which overflows at year 1/9999)."""
    if not MIN_DATE.year <= value.year < MAX_DATE.year:
        raise ValueError(f"must lie between {MIN_DATE.year} and {MAX_DATE.year}")
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC)


Instant = Annotated[datetime, AfterValidator(in_calendar)]


def _walk_json(value: Any) -> None:
    """Bounded depth, node count and safe scalars, walked without recursion.

    A refusal names the path inside the dict ("parties: ..."), so the error names the field.
    """
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    nodes = 0
    while stack:
        node, depth, path = stack.pop()
        nodes += 1
        if nodes > MAX_JSON_NODES:
            raise ValueError(f"at most {MAX_JSON_NODES} values")
        try:
            _check_node(node, depth)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}" if path else str(exc)) from None
        if isinstance(node, dict):
            stack.extend((v, depth + 1, f"{path}.{k}".lstrip(".")) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, depth + 1, f"{path}.{i}".lstrip("."))
                         for i, v in enumerate(node))


def _check_node(node: Any, depth: int) -> None:
    if isinstance(node, dict | list):
        if depth >= MAX_JSON_DEPTH:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        for key in node if isinstance(node, dict) else ():
            if not isinstance(key, str) or not KEY_PATTERN.match(key):
                raise ValueError(f"key {str(key)[:40]!r}: letters, digits, _ and - only "
                                 "(no $ or dots)")
    elif isinstance(node, bool) or node is None:
        return
    elif isinstance(node, int):
        if not INT64_MIN <= node <= INT64_MAX:
            raise ValueError("an integer beyond 64 bits")
    elif isinstance(node, float):
        if node != node or node in (float("inf"), float("-inf")):
            raise ValueError("NaN and Infinity are not numbers here")
    elif isinstance(node, str):
        if len(node) > MAX_JSON_TEXT:
            raise ValueError(f"text of at most {MAX_JSON_TEXT} characters")
        safe_text(node)
    else:
        raise ValueError(f"{type(node).__name__} is not a JSON value")


def _json_dict(value: dict[str, Any]) -> dict[str, Any]:
    _walk_json(value)
    return value


FreeDict = Annotated[dict[str, Any], AfterValidator(_json_dict)]


def loads_bounded(text: str, max_depth: int) -> Any:
    """json.loads refusing NaN/Infinity and nesting deeper than `max_depth` (ValueError)."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not a JSON number")

    try:
        value = json.loads(text, parse_constant=refuse)
    except RecursionError:
        raise ValueError(f"nested deeper than {max_depth} levels") from None
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth >= max_depth:
                raise ValueError(f"nested deeper than {max_depth} levels")
            stack.extend((v, depth + 1) for v in (node.values() if isinstance(node, dict)
                                                   else node))
    return value


def _point(value: Any) -> Any:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError("each point is [lng, lat]")
    return value


# A GeoJSON linear ring: [lng, lat] points, finite and on the globe, at most MAX_VERTICES.
GeoPoint = Annotated[tuple[Longitude, Latitude], BeforeValidator(_point)]
GeoRing = Annotated[list[GeoPoint], Field(min_length=3, max_length=MAX_VERTICES)]
