"""The audit listing's pure parts: which one key a page ranges over, and its window."""

from __future__ import annotations

import pytest

from services.audit import entries
from services.common.caller import Caller, Role
from services.common.contracts.audit import AuditQuery
from services.common.errors import Forbidden
from services.common.paging import encode_cursor


def who(role: Role, **where: str) -> Caller:
    return Caller(user_id="u", role=role, district_id="d", **where)


def test_the_page_ranges_over_the_first_filter_named_else_the_callers_scope():
    district = who(Role.district_admin)
    assert entries.scope_of(district, AuditQuery()) == ("district_key", "d:d")
    assert entries.scope_of(district, AuditQuery(actor_id="u-1", action="a.b")) == (
        "actor_key", "a:d:u-1")
    assert entries.scope_of(district, AuditQuery(action="a.b")) == ("action_key", "x:d:a.b")
    assert entries.scope_of(district, AuditQuery(record_type="user")) == ("record_key",
                                                                         "t:d:user")
    assert entries.scope_of(who(Role.street_admin, street_id="s"), AuditQuery()) == (
        "street_key", "s:s")
    community = who(Role.community_admin, community_id="c")
    assert entries.scope_of(community, AuditQuery(action="a.b")) == ("community_key", "c:c")
    with pytest.raises(Forbidden):
        entries.scope_of(community, AuditQuery(community_id="other"))
    for role in (Role.resident, Role.ops, Role.merchant, Role.grid_worker):
        with pytest.raises(Forbidden):
            entries.scope_of(who(role, community_id="c"), AuditQuery())


def test_since_and_until_narrow_the_key_range_not_a_time_range():
    rng = entries.window("d:d", AuditQuery(since=100.0, until=200.0))
    assert rng == {"$gte": "d:d|0000000100.000000", "$lt": "d:d|0000000200.000000"}
    cursor = encode_cursor("d:d|0000000150.000000|e-1")
    rng = entries.window("d:d", AuditQuery(since=100.0, until=200.0, cursor=cursor))
    assert rng["$lt"] == "d:d|0000000150.000000|e-1"


def test_each_listing_has_its_key():
    keys = entries.keys_of("e-1", {"ts": 5.0, "district_id": "d", "street_id": None,
                                   "community_id": "c", "actor_id": "u", "action": "a.b",
                                   "record_type": "a"})
    assert keys["community_key"] == "c:c|0000000005.000000|e-1"
    assert keys["street_key"] is None and keys["actor_key"].startswith("a:d:u|")
