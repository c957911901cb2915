"""Bounds on an uploaded grid file before dispatch reads it: depth, text, polygon size.

Dispatch validates every row (codes, levels, parents, points on the globe) and reports
each bad one; what it cannot survive or must not store is refused here, with the whole
file and the contracts' own rules: JSON nested deeper than GeoJSON needs (its parser
recurses), NaN/Infinity (not JSON), text with surrogates, control or bidi characters
(types.safe_text), and polygons past MAX_VERTICES points (every point-in-polygon test
walks them all).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from services.common.contracts.types import MAX_VERTICES, loads_bounded, safe_text
from services.common.errors import InvalidInput

GEOJSON_DEPTH = 8  # collection → features → feature → geometry → rings → ring → point
RING_DEPTH = 3  # a CSV cell: ring → point → number


def check(content: str, fmt: str) -> None:
    """InvalidInput naming `file` (and where in it) for what dispatch must not be sent."""
    if fmt == "geojson":
        document = _load(content, GEOJSON_DEPTH, "file")
        _texts(document, "file")
        features = document.get("features") if isinstance(document, dict) else None
        for number, feature in enumerate(features if isinstance(features, list) else [], 1):
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            rings = geometry.get("coordinates") if isinstance(geometry, dict) else None
            for ring in rings if isinstance(rings, list) else []:
                _count(ring, f"feature {number}")
    elif fmt == "csv":
        for number, row in enumerate(csv.DictReader(io.StringIO(content)), 1):
            _texts(list(row.values()), f"row {number}")
            if (cell := row.get("polygon")) and cell.strip():
                _count(_load(cell, RING_DEPTH, f"row {number}"), f"row {number}")


def _load(text: str, depth: int, where: str) -> Any:
    try:
        return loads_bounded(text, depth)
    except json.JSONDecodeError:
        return None  # not JSON at all: dispatch reports it (the file, or that row)
    except ValueError as exc:
        raise InvalidInput("the file is not bounded JSON", {"file": f"{where}: {exc}"}) from exc


def _texts(value: Any, where: str) -> None:
    stack = [value]
    while stack:  # depth is bounded already; no recursion either way
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend([*node.keys(), *node.values()])
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            try:
                safe_text(node)
            except ValueError as exc:
                raise InvalidInput("the file has unsafe text",
                                   {"file": f"{where}: {exc}"}) from exc


def _count(ring: Any, where: str) -> None:
    if isinstance(ring, list) and len(ring) > MAX_VERTICES:
        raise InvalidInput("a polygon has too many points",
                           {"file": f"{where}: at most {MAX_VERTICES} points"})
