"""One platform (identity + deliberation + dispatch + points + evaluation + an event probe,
real broker and store) for the whole package: every test makes its own ids, so they share
it (one start, not one per test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from nameko.containers import get_container_cls

from tests.deliberation.helpers import EventProbe
from tests.platform import Platform


@pytest.fixture(scope="package")
def module_config(request, vhost_pipeline, store_uri) -> Iterator[dict[str, Any]]:
    uri = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    with vhost_pipeline.get() as vhost:
        yield {"AMQP_URI": f"{uri.scheme}://{uri.netloc}/{vhost}",
               "LINLI": {"mongo_uri": store_uri, "db_prefix": f"t{uuid.uuid4().hex[:10]}_",
                         "outbox_poll_seconds": 0.2, "scheduler_poll_seconds": 0.2}}


@pytest.fixture(scope="package")
def dplatform(module_config) -> Iterator[Platform]:
    from services.deliberation.service import DeliberationService
    from services.dispatch.service import DispatchService
    from services.evaluation.service import EvaluationService
    from services.points.service import PointsService

    containers: list[Any] = []

    def factory(service_cls: type, config: dict) -> Any:
        container = get_container_cls(config)(service_cls, config)
        containers.append(container)
        return container

    running = Platform(factory, module_config)
    try:
        running.start(DeliberationService, DispatchService, PointsService, EvaluationService,
                      EventProbe)
        running.tenancy()  # communities A and B (their community.created reach every service)
        yield running
    finally:
        running.close()
        for container in containers:
            container.kill()
