"""One platform (identity + intake + dispatch, in-process, real broker and store) per module,
with three tenants to probe: A and A2 on street A, B on street B."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.platform import Platform, shared_platform


@pytest.fixture(scope="module")
def module_platform(request, vhost_pipeline, store_uri) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        yield running
