"""Point-in-polygon and the grid a location falls in: one copy for dispatch (the owner of the
grid registry) and intake (which places issues from its read model of the grids).
No geo index on the store, so this is done in Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Polygon = Sequence[Sequence[float]]  # [[lng, lat], ...], GeoJSON order, ring closed or not


def contains(polygon: Polygon, lng: float, lat: float) -> bool:
    """Ray casting; a point on an edge counts as inside (a boundary street belongs somewhere)."""
    inside = False
    points = list(polygon)
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if _on_segment(x1, y1, x2, y2, lng, lat):
            return True
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < x_cross:
                inside = not inside
    return inside


def _on_segment(x1: float, y1: float, x2: float, y2: float, x: float, y: float) -> bool:
    cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
    return (abs(cross) < 1e-12 and min(x1, x2) <= x <= max(x1, x2)
            and min(y1, y2) <= y <= max(y1, y2))


@dataclass(frozen=True)
class GridShape:
    id: str
    depth: int  # 1, 2, 3 grids; 4 compound; 5 building
    polygon: Polygon | None
    addresses: tuple[str, ...] = ()


def normalise(address: str) -> str:
    return "".join(address.split()).lower()


def locate(grids: list[GridShape], root_id: str, boundary: Polygon | None,
           lat: float | None, lng: float | None, address: str | None) -> tuple[str | None, bool]:
    """(grid id, inside the community): the deepest grid containing the point, else the
    longest address key found in the address, else the root."""
    inside = True
    if lat is not None and lng is not None:
        if boundary and not contains(boundary, lng, lat):
            return None, False
        hits = [g for g in grids if g.polygon and contains(g.polygon, lng, lat)]
        if hits:
            return max(hits, key=lambda g: g.depth).id, inside
    if address:
        wanted = normalise(address)
        matches = [(len(key), g.depth, g.id) for g in grids for key in g.addresses
                   if key and normalise(key) in wanted]
        if matches:
            return max(matches)[2], inside
    return root_id, inside
