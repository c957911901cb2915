"""One platform (identity + deliberation + dispatch + points + evaluation + volunteers, for
the renewal's projects + an event probe, real broker and store) for the whole package: every
test makes its own ids, so they share it (one start, not one per test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deliberation.helpers import EventProbe
from tests.platform import Platform, shared_platform


@pytest.fixture(scope="package")
def dplatform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        from services.deliberation.service import DeliberationService
        from services.dispatch.service import DispatchService
        from services.evaluation.service import EvaluationService
        from services.points.service import PointsService
        from services.volunteers.service import VolunteersService

        running.start(DeliberationService, DispatchService, PointsService, EvaluationService,
                      VolunteersService, EventProbe)
        running.tenancy()  # communities A and B (their community.created reach every service)
        yield running
