"""Fixtures of the store-conformance tests: a client, a fresh database per test, the server kind.

The tests run against the session's store (`store_uri`): the embedded nx-27017 by
default, MongoDB 7 when LINLI_TEST_MONGO_URI is set. Quirk tests assert the quirk on
nx and the MongoDB behaviour otherwise, so one file passes on both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import mongoengine as me
import pytest
from pymongo import MongoClient
from pymongo.database import Database

ME_ALIAS = "conformance"


def is_nx(client: MongoClient[Any]) -> bool:
    """nx-27017 answers `buildinfo` with `{ok: 1, result: []}`: no version, unlike MongoDB.

    (Its `serverStatus` claims version 7.0.0 but names the process `nx_27017`.)
    """
    if not client.server_info().get("version"):
        return True
    status = client.admin.command("serverStatus")
    return str(status.get("process", "")).startswith("nx")


def new_db_name() -> str:
    return f"conf_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def client(store_uri: str) -> Iterator[MongoClient[Any]]:
    c: MongoClient[Any] = MongoClient(store_uri, serverSelectionTimeoutMS=5000,
                                      uuidRepresentation="standard", tz_aware=True)
    yield c
    c.close()


@pytest.fixture(scope="session")
def nx(client: MongoClient[Any]) -> bool:
    return is_nx(client)


@pytest.fixture
def db(client: MongoClient[Any]) -> Iterator[Database[Any]]:
    """A database of the test's own, dropped afterwards."""
    name = new_db_name()
    yield client[name]
    client.drop_database(name)


@pytest.fixture
def me_db(store_uri: str, client: MongoClient[Any]) -> Iterator[Database[Any]]:
    """mongoengine alias `conformance` on a database of the test's own (as `store.connect`)."""
    name = new_db_name()
    me.disconnect(ME_ALIAS)
    me.connect(db=name, host=store_uri, alias=ME_ALIAS, serverSelectionTimeoutMS=5000,
               uuidRepresentation="standard", tz_aware=True)
    try:
        yield me.get_db(ME_ALIAS)
    finally:
        me.disconnect(ME_ALIAS)
        client.drop_database(name)
