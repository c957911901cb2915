"""One platform (identity + intake + dispatch behind the gateway, real broker and store) for
the package; the gateway polls revocations every 0.3 s and may fetch media from 127.0.0.1
(the tests' image server), which production's address rule refuses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.platform import Platform, shared_platform


@pytest.fixture(scope="package")
def aplatform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        from services.dispatch.service import DispatchService
        from services.intake.service import IntakeService

        running.settings = running.settings.model_copy(update={
            "revocation_poll_seconds": 0.3, "media_fetch_allow_hosts": ["127.0.0.1"]})
        running.start(IntakeService, DispatchService)
        yield running
