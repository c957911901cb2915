from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.platform import Platform


@pytest.fixture
def platform(container_factory, service_config) -> Iterator[Platform]:
    """Identity + the services a test starts, behind an in-process gateway."""
    running = Platform(container_factory, service_config)
    try:
        yield running
    finally:
        running.close()
