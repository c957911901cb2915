"""One platform (identity, volunteers, deliberation, points, and intake for the 公示 links;
real broker and store) for the whole package, the board's page kept only briefly so the
figures' tests see them move."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.platform import Platform, shared_platform

CACHE_SECONDS = 0.3


@pytest.fixture(scope="package")
def bplatform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        from services.deliberation.service import DeliberationService
        from services.intake.service import IntakeService
        from services.points.service import PointsService
        from services.volunteers.service import VolunteersService

        running.settings = running.settings.model_copy(
            update={"board_cache_seconds": CACHE_SECONDS, "board_timeout_seconds": 1.0})
        running.start(VolunteersService, DeliberationService, PointsService, IntakeService)
        running.tenancy()
        yield running
