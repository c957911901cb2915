"""A whole stack, started by deploy/local_stack.py exactly as `make up` starts it, but
isolated: its own stack directory under pytest's tmp, its own embedded store on a free
port, its own RabbitMQ vhost (made through the management API, deleted after) and free
ports for every metrics listener and the gateway. tests/e2e and tests/console use it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from deploy.local_stack import Stack
from services.common.testing.embedded_store import free_port
from services.common.topology import SERVICES


@contextmanager
def isolated_stack(request: pytest.FixtureRequest, rabbit_manager: object,
                   tmp_path_factory: pytest.TempPathFactory, name: str, *,
                   seed: bool, say: Callable[[str], None] | None = None,
                   **settings: str) -> Iterator[Stack]:
    """The stack running until the block ends; `settings` are further LINLI_* variables."""
    broker = urlsplit(request.config.getoption("RABBIT_AMQP_URI"))
    vhost = f"linli_{name}_{uuid.uuid4().hex[:8]}"
    rabbit_manager.create_vhost(vhost)
    rabbit_manager.set_vhost_permissions(vhost, broker.username, ".*", ".*", ".*")
    # The developer's own LINLI_* settings must not leak into the isolated stack.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")} | {
        "LINLI_STACK_DIR": str(tmp_path_factory.mktemp("stack")),
        "LINLI_AMQP_URI": f"{broker.scheme}://{broker.netloc}/{vhost}",
        "LINLI_MONGO_URI": f"mongodb://127.0.0.1:{free_port()}",
        "LINLI_GATEWAY_PORT": str(free_port()), "LINLI_STACK_SEED": "1" if seed else "0",
        "LINLI_PASSWORD_HASHING": "cheapest_for_tests",
        **{f"LINLI_{s.name.upper()}_METRICS_PORT": str(free_port()) for s in SERVICES},
    } | settings
    running = Stack(env) if say is None else Stack(env, say=say)
    try:
        running.up(seed=seed)
        yield running
    finally:
        running.down()
        rabbit_manager.delete_vhost(vhost)
