"""Evaluation's own database on the test store, for the tests that drive its live path
directly (the month generator, the rebuild)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import mongoengine as me
import pytest

from services.evaluation import policy
from services.evaluation.models import ALIAS, DOCUMENTS
from tests.platform import Platform, shared_platform


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
    """One platform for a module's tests, on its own vhost and databases: a month fed once
    serves every test of the module."""
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        yield running
