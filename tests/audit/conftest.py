"""One platform (identity + audit + the services whose admin acts are audited, real broker
and store) for the whole package: every test makes its own ids."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.platform import Platform, shared_platform


@pytest.fixture(scope="package")
def aplatform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        from services.audit.service import AuditService
        from services.deliberation.service import DeliberationService
        from services.dispatch.service import DispatchService
        from services.evaluation.service import EvaluationService
        from services.intake.service import IntakeService
        from services.mediation.service import MediationService
        from services.points.service import PointsService
        from services.volunteers.service import VolunteersService

        running.start(AuditService, IntakeService, DispatchService, PointsService,
                      DeliberationService, EvaluationService, VolunteersService,
                      MediationService)
        running.tenancy()
        yield running
