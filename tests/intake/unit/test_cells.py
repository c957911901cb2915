"""Geocells of the duplicate search: every point within the radius lies in a cell searched."""

from __future__ import annotations

import math
import random

import pytest

from services.intake import cells
from services.intake.domain import haversine_m


@pytest.mark.parametrize("radius", [1.0, 50.0, 200.0, 1_000.0, 30_000.0])
def test_a_point_within_the_radius_lies_in_one_of_the_few_cells_searched(radius):
    rng = random.Random(int(radius))
    size = cells.cell_size_m(radius)
    assert size >= 4 * radius or size == cells.MAX_CELL_M
    searched_counts = []
    for _ in range(2_000):
        lat, lng = rng.uniform(-70, 70), rng.uniform(-179, 179)
        searched = cells.cells_around(lat, lng, radius, size)
        assert len(searched) <= 6  # 2 × 2, or 2 × 3 where two rows' widths differ
        searched_counts.append(len(searched))
        bearing, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0, radius)
        other_lat = lat + dist * math.cos(bearing) / cells.METRES_PER_DEGREE
        other_lng = lng + dist * math.sin(bearing) / (
            cells.METRES_PER_DEGREE * math.cos(math.radians(lat)))
        if haversine_m(lat, lng, other_lat, other_lng) <= radius:
            assert cells.cell_of(other_lat, other_lng, size) in searched
    if size < cells.MAX_CELL_M:  # most points search one or two cells
        assert sum(searched_counts) / len(searched_counts) < 2.6


def test_a_cells_key_range_holds_its_issues_since_the_window_and_nothing_else():
    scope = cells.scope("c-1", "fire_hazard", 400, (10, -3))
    rng = cells.key_range(scope, 1_000.0)
    inside = f"{scope}|{2_000.0:017.6f}|i-1"
    older = f"{scope}|{999.0:017.6f}|i-2"
    neighbour = f"{cells.scope('c-1', 'fire_hazard', 400, (10, -30))}|{2_000.0:017.6f}|i-3"
    assert rng["$gte"] <= inside < rng["$lt"]
    assert not rng["$gte"] <= older < rng["$lt"]
    assert not rng["$gte"] <= neighbour < rng["$lt"]
