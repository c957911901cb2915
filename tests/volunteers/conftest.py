"""One platform (identity + volunteers + points + dispatch + evaluation + an event probe, real
broker and store) for the whole package: every test makes its own ids, so they share it (one
start)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.platform import Platform, shared_platform
from tests.volunteers.helpers import EventProbe


@pytest.fixture(scope="package")
def vplatform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        from services.dispatch.service import DispatchService
        from services.evaluation.service import EvaluationService
        from services.points.service import PointsService
        from services.volunteers.service import VolunteersService

        running.start(VolunteersService, PointsService, DispatchService, EvaluationService,
                      EventProbe)
        yield running
