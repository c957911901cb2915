"""A whole stack, started by deploy/local_stack.py exactly as `make up` starts it, but isolated.

It gets its own stack directory under pytest's tmp, its own embedded store on a
free port, its own RabbitMQ vhost (made through the management API, deleted
after) and free ports for every metrics listener and the gateway. The demo seed
is off unless LINLI_E2E_SEED=1.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from deploy.local_stack import Stack
from services.common.testing.embedded_store import free_port
from services.common.topology import SERVICES


@pytest.fixture(scope="package")  # session-wide, its idle processes slowed the rest of the suite
def stack(request: pytest.FixtureRequest, rabbit_manager,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The running stack: .gateway_url, .metrics_urls, .amqp_uri, .mongo_uri, .env, .logs_dir,
    and stop_service / start_service / kill_service(name) for restart tests."""
    broker = urlsplit(request.config.getoption("RABBIT_AMQP_URI"))
    vhost = f"linli_e2e_{uuid.uuid4().hex[:8]}"
    rabbit_manager.create_vhost(vhost)
    rabbit_manager.set_vhost_permissions(vhost, broker.username, ".*", ".*", ".*")
    # The developer's own LINLI_* settings must not leak into the isolated stack.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")} | {
        "LINLI_STACK_DIR": str(tmp_path_factory.mktemp("stack")),
        "LINLI_AMQP_URI": f"{broker.scheme}://{broker.netloc}/{vhost}",
        "LINLI_MONGO_URI": f"mongodb://127.0.0.1:{free_port()}",
        "LINLI_GATEWAY_PORT": str(free_port()),
        "LINLI_STACK_SEED": os.environ.get("LINLI_E2E_SEED", "0"),
        **{f"LINLI_{s.name.upper()}_METRICS_PORT": str(free_port()) for s in SERVICES},
    }
    running = Stack(env)
    try:
        running.up()
        yield running
    finally:
        running.down()
        rabbit_manager.delete_vhost(vhost)


@pytest.fixture
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    if stack.gateway_url is None:
        pytest.skip("the gateway is not built yet")
    with httpx.Client(base_url=stack.gateway_url, timeout=10) as client:
        yield client
