"""Evaluation's own database on the test store, for the tests that drive its live path
directly (the month generator, the rebuild)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import mongoengine as me
import pytest
from nameko.containers import get_container_cls

from services.evaluation import policy
from services.evaluation.models import ALIAS, DOCUMENTS
from tests.platform import Platform


@pytest.fixture
def evaluation_db(store_uri: str) -> Iterator[str]:
    name = f"evaluation_{uuid.uuid4().hex[:10]}"
    me.disconnect(ALIAS)  # a container of an earlier test may have left it registered
    me.connect(db=name, host=store_uri, alias=ALIAS, tz_aware=True,
               uuidRepresentation="standard")
    for doc in DOCUMENTS:
        doc.ensure_indexes()
    policy._KNOWN.clear()
    yield name
    me.get_connection(ALIAS).drop_database(name)
    me.disconnect(ALIAS)
    policy._KNOWN.clear()


@pytest.fixture(scope="module")
def module_platform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    """One platform for a module's tests (as tests/isolation/conftest.py), on its own vhost
    and databases: a month fed once serves every test of the module."""
    uri = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    containers: list[Any] = []

    def factory(service_cls: type, config: dict) -> Any:
        container = get_container_cls(config)(service_cls, config)
        containers.append(container)
        return container

    with vhost_pipeline.get() as vhost:
        config = {"AMQP_URI": f"{uri.scheme}://{uri.netloc}/{vhost}",
                  "LINLI": {"mongo_uri": store_uri, "db_prefix": f"t{uuid.uuid4().hex[:10]}_",
                            "outbox_poll_seconds": 0.2, "scheduler_poll_seconds": 0.2}}
        running = Platform(factory, config)
        try:
            yield running
        finally:
            running.close()
            for container in containers:
                container.kill()
