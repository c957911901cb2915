"""One platform (identity + volunteers + points + dispatch + evaluation + an event probe, real
broker and store) for the whole package: every test makes its own ids, so they share it (one
start)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from nameko.containers import get_container_cls

from tests.platform import Platform
from tests.volunteers.helpers import EventProbe


@pytest.fixture(scope="package")
def module_config(request, vhost_pipeline, store_uri) -> Iterator[dict[str, Any]]:
    uri = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    with vhost_pipeline.get() as vhost:
        yield {"AMQP_URI": f"{uri.scheme}://{uri.netloc}/{vhost}",
               "LINLI": {"mongo_uri": store_uri, "db_prefix": f"t{uuid.uuid4().hex[:10]}_",
                         "outbox_poll_seconds": 0.2, "scheduler_poll_seconds": 0.2}}


@pytest.fixture(scope="package")
def vplatform(module_config) -> Iterator[Platform]:
    from services.dispatch.service import DispatchService
    from services.evaluation.service import EvaluationService
    from services.points.service import PointsService
    from services.volunteers.service import VolunteersService

    containers: list[Any] = []

    def factory(service_cls: type, config: dict) -> Any:
        container = get_container_cls(config)(service_cls, config)
        containers.append(container)
        return container

    running = Platform(factory, module_config)
    try:
        running.start(VolunteersService, PointsService, DispatchService, EvaluationService,
                      EventProbe)
        yield running
    finally:
        running.close()
        for container in containers:
            container.kill()
