"""Geocells for the duplicate search (群体诉): equality on a cell instead of ranges on lat/lng.

A cell is at least four times the search radius on each side, so a circle of that radius
touches at most 2 × 2 cells (about 2.2 on average); the search reads those, each one sorted range on
one key field (`dup_key = <scope>|<created epoch>|<id>`), bounded by a limit. No I/O.
"""

from __future__ import annotations

import math

from services.common import paging
from services.intake.domain import haversine_m

METRES_PER_DEGREE = 111_195.0
BASE_CELL_M = 100
MAX_CELL_M = 100 * 2**10  # ~100 km: radii beyond ~50 km share this size


def cell_size_m(radius_m: float) -> int:
    """The smallest size on a fixed ladder (100 m × 2^k) of at least four radii."""
    size = BASE_CELL_M
    while size < 4 * radius_m and size < MAX_CELL_M:
        size *= 2
    return size


def _row(lat: float, size_m: int) -> int:
    return math.floor(lat * METRES_PER_DEGREE / size_m)


def _width_deg(row: int, size_m: int) -> float:
    """A cell's width in degrees of longitude in this row: at least `size_m` metres
    everywhere in the row (measured at its poleward edge)."""
    height = size_m / METRES_PER_DEGREE
    edge = max(abs(row * height), abs((row + 1) * height))
    return min(size_m / (METRES_PER_DEGREE * max(math.cos(math.radians(min(edge, 90.0))),
                                                  1e-6)), 360.0)


def cell_of(lat: float, lng: float, size_m: int) -> tuple[int, int]:
    row = _row(lat, size_m)
    return row, math.floor(lng / _width_deg(row, size_m))


def cells_around(lat: float, lng: float, radius_m: float, size_m: int) -> list[tuple[int, int]]:
    """Every cell a circle of `radius_m` around the point touches (of the bounding box's
    cells, those whose nearest point is within the radius: usually one or two)."""
    dlat = radius_m / METRES_PER_DEGREE
    dlng = min(radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6)), 180.0)
    height = size_m / METRES_PER_DEGREE
    cells = []
    for row in range(_row(lat - dlat, size_m), _row(lat + dlat, size_m) + 1):
        width = _width_deg(row, size_m)
        near_lat = min(max(lat, row * height), (row + 1) * height)
        for col in range(math.floor((lng - dlng) / width), math.floor((lng + dlng) / width) + 1):
            near_lng = min(max(lng, col * width), (col + 1) * width)
            if haversine_m(lat, lng, near_lat, near_lng) <= radius_m + 0.01:
                cells.append((row, col))
    return cells


def scope(community_id: str, category: str, size_m: int, cell: tuple[int, int]) -> str:
    """The listing of one cell's open issues of one category."""
    return paging.scope_key(community_id, category, f"{size_m}.{cell[0]}.{cell[1]}")


def key_range(cell_scope: str, since_ts: float) -> dict[str, str]:
    """The `dup_key` range of the cell's issues created at or after `since_ts`."""
    return {"$gte": f"{cell_scope}{paging.SEP}{max(since_ts, 0.0):017.6f}",
            "$lt": cell_scope + chr(ord(paging.SEP) + 1)}
