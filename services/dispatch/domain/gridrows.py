"""Validation of grid import rows (CSV or GeoJSON): every bad row is reported, none is guessed.

Levels: 1, 2, 3 are grids (一级/二级/三级网格, seed 004: 1 / 6 / 72); below them
`compound` (小区) and `building` (楼栋). The level-1 row, if any, is the community's
root grid.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

DEPTH = {"1": 1, "2": 2, "3": 3, "compound": 4, "building": 5}
CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
COLUMNS = ("code", "name", "level", "parent_code", "worker_id", "party_branch",
           "polygon", "addresses")


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (CSV: the header is row 0)
    field: str
    reason: str


@dataclass
class GridRow:
    row: int
    code: str
    name: str
    depth: int
    parent_code: str | None
    worker_id: str | None
    party_branch: str | None
    polygon: list[list[float]] | None
    addresses: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _polygon(value: Any) -> list[list[float]] | None:
    if value in (None, ""):
        return None
    points = json.loads(value) if isinstance(value, str) else value
    if not isinstance(points, list) or len(points) < 3:
        raise ValueError("needs at least 3 [lng, lat] points")
    ring = []
    for point in points:
        if not (isinstance(point, list | tuple) and len(point) == 2):
            raise ValueError("each point is [lng, lat]")
        lng, lat = float(point[0]), float(point[1])
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValueError("point out of range")
        ring.append([lng, lat])
    return ring


def parse_row(number: int, raw: dict[str, Any]) -> tuple[GridRow | None, list[RowError]]:
    errors: list[RowError] = []
    code, name, level = _text(raw.get("code")), _text(raw.get("name")), _text(raw.get("level"))
    if not CODE.match(code):
        errors.append(RowError(number, "code", "required: letters, digits, _ . - (≤40)"))
    if not name or len(name) > 80:
        errors.append(RowError(number, "name", "required, at most 80 characters"))
    if level not in DEPTH:
        errors.append(RowError(number, "level", "one of 1, 2, 3, compound, building"))
    try:
        polygon = _polygon(raw.get("polygon"))
    except (ValueError, TypeError) as exc:
        errors.append(RowError(number, "polygon", f"invalid: {exc}"))
        polygon = None
    addresses = raw.get("addresses") or []
    if isinstance(addresses, str):
        addresses = [a.strip() for a in addresses.split(";") if a.strip()]
    if not isinstance(addresses, list) or any(
            not isinstance(a, str) or len(a) > 200 for a in addresses):
        errors.append(RowError(number, "addresses", "a ;-separated list of addresses"))
    if errors:
        return None, errors
    return GridRow(number, code, name, DEPTH[level], _text(raw.get("parent_code")) or None,
                   _text(raw.get("worker_id")) or None, _text(raw.get("party_branch")) or None,
                   polygon, [str(a) for a in addresses]), []


def check_tree(rows: list[GridRow], existing: dict[str, int]) -> list[RowError]:
    """Codes unique, parents known and one step up (compounds under a grid, buildings under
    a compound). `existing`: code → depth of the grids already stored."""
    errors: list[RowError] = []
    depths = dict(existing)
    for row in rows:
        depths[row.code] = row.depth
    roots = [r for r in rows if r.depth == 1]
    for extra in roots[1:]:
        errors.append(RowError(extra.row, "level", "only one level-1 grid per community"))
    for row in rows:
        if row.depth == 1:
            if row.parent_code:
                errors.append(RowError(row.row, "parent_code", "a level-1 grid has no parent"))
            continue
        parent = depths.get(row.parent_code or "")
        if parent is None:
            errors.append(RowError(row.row, "parent_code", "unknown parent"))
        elif not _fits(row.depth, parent):
            errors.append(RowError(row.row, "parent_code", "parent is at the wrong level"))
    return errors


def duplicates(numbered: list[tuple[int, dict[str, Any]]]) -> list[RowError]:
    """Codes used twice in the file (checked on every row, valid or not)."""
    errors, seen = [], set()
    for number, raw in numbered:
        code = _text(raw.get("code"))
        if code and code in seen:
            errors.append(RowError(number, "code", "duplicate in this file"))
        seen.add(code)
    return errors


def _fits(depth: int, parent: int) -> bool:
    if depth <= 3:
        return parent == depth - 1
    if depth == 4:
        return parent in (2, 3)
    return parent == 4
