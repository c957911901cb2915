"""One platform (identity + intake + volunteers + deliberation + evaluation + mediation + an
event probe, real broker and store) for the whole package: every test makes its own ids."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mediation.helpers import EventProbe, Mediators
from tests.platform import Platform, shared_platform


@pytest.fixture(scope="package")
def mplatform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        from services.deliberation.service import DeliberationService
        from services.evaluation.service import EvaluationService
        from services.intake.service import IntakeService
        from services.mediation.service import MediationService
        from services.volunteers.service import VolunteersService

        running.start(IntakeService, VolunteersService, DeliberationService, EvaluationService,
                      MediationService, EventProbe)
        running.tenancy()
        yield running


@pytest.fixture(scope="package")
def mediators(mplatform) -> Mediators:
    return Mediators(mplatform)
