"""Pytest fixtures every service's tests share (loaded with `-p services.common.testing.plugin`).

- `store_uri`: one embedded store per session on a free port (or LINLI_TEST_MONGO_URI).
- `db_prefix`: a database prefix unique to the test, so every test has its own databases.
- `service_config`: a nameko config on the test's own RabbitMQ vhost (nameko's
  `rabbit_config`) and the test's own databases.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.common.testing.embedded_store import EmbeddedStore


def _trio_importable_under_eventlet() -> None:
    """Selenium (the console's browser tests) depends on trio, which hypothesis and anyio load
    as plugins; trio's socket module wraps `socket.socket.sendmsg`, which eventlet's patched
    socket lacks. Lend it the original's (nothing here runs trio: Selenium's WebDriver calls
    go through urllib3)."""
    from eventlet import patcher
    from eventlet.greenio.base import GreenSocket

    original = patcher.original("socket").socket
    for name in ("sendmsg", "recvmsg", "recvmsg_into"):
        if not hasattr(GreenSocket, name) and hasattr(original, name):
            setattr(GreenSocket, name, getattr(original, name))


_trio_importable_under_eventlet()


@pytest.fixture(scope="session")
def store_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("LINLI_TEST_MONGO_URI"):
        yield os.environ["LINLI_TEST_MONGO_URI"]
        return
    store = EmbeddedStore(Path(tmp_path_factory.mktemp("store"))).start()
    try:
        yield store.uri
    finally:
        store.stop(graceful=False)  # its data dies with the session's temp dir


@pytest.fixture
def db_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}_"


@pytest.fixture
def service_config(rabbit_config: dict[str, Any], store_uri: str, db_prefix: str) -> dict:
    return {
        "AMQP_URI": rabbit_config["AMQP_URI"],
        "LINLI": {
            "mongo_uri": store_uri,
            "db_prefix": db_prefix,
            "outbox_poll_seconds": 1.0,
            "scheduler_poll_seconds": 0.2,
            "password_hashing": "cheapest_for_tests",
        },
    }
