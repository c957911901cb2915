"""A whole stack, started by deploy/local_stack.py exactly as `make up` starts it, but isolated
(tests/isolated_stack.py). The demo seed is off unless LINLI_E2E_SEED=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from deploy.local_stack import Stack
from tests.isolated_stack import isolated_stack


@pytest.fixture(scope="package")  # session-wide, its idle processes slowed the rest of the suite
def stack(request: pytest.FixtureRequest, rabbit_manager,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The running stack: .gateway_url, .metrics_urls, .amqp_uri, .mongo_uri, .env, .logs_dir,
    and stop_service / start_service / kill_service(name) for restart tests."""
    with isolated_stack(request, rabbit_manager, tmp_path_factory, "e2e",
                        seed=os.environ.get("LINLI_E2E_SEED") == "1") as running:
        yield running


@pytest.fixture
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    if stack.gateway_url is None:
        pytest.skip("the gateway is not built yet")
    with httpx.Client(base_url=stack.gateway_url, timeout=10) as client:
        yield client
