"""One platform (identity, care, points, notify and an event probe; real broker and store)
for the whole package: every test makes its own services, sessions, elders and accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.care.helpers import EventProbe
from tests.platform import Platform, shared_platform


@pytest.fixture(scope="package")
def cplatform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        from services.care.service import CareService
        from services.notify.service import NotifyService
        from services.points.service import PointsService

        running.start(CareService, PointsService, NotifyService, EventProbe)
        running.tenancy()
        yield running
