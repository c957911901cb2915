"""One platform (identity + points, in-process, real broker and store) per module."""

from __future__ import annotations

from tests.isolation.conftest import module_platform  # noqa: F401
