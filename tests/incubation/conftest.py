"""One platform (identity + volunteers + incubation + audit + an event probe, real broker and store)
for the whole package: every test registers its own organisations and accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.incubation.helpers import EventProbe
from tests.platform import Platform, shared_platform


@pytest.fixture(scope="package")
def iplatform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        from services.audit.service import AuditService
        from services.incubation.service import IncubationService
        from services.volunteers.service import VolunteersService

        running.start(VolunteersService, IncubationService, AuditService, EventProbe)
        running.tenancy()
        yield running
