from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.identity.service import IdentityService
from tests.identity.helpers import Tree, build_tree, proxy


@pytest.fixture
def identity(container_factory, service_config) -> Iterator[Any]:
    container_factory(IdentityService, service_config).start()
    with proxy(service_config) as rpc:
        yield rpc


@pytest.fixture
def tree(identity) -> Tree:
    return build_tree(identity)
