from __future__ import annotations

import pytest

from services.common.caller import Caller, Role, Scope
from services.common.errors import Forbidden

HOME = Scope(district_id="d1", street_id="s1", community_id="c1")
NEIGHBOUR = Scope(district_id="d1", street_id="s1", community_id="c2")
OTHER_STREET = Scope(district_id="d1", street_id="s2", community_id="c3")
OTHER_DISTRICT = Scope(district_id="d2", street_id="s9", community_id="c9")


def caller(role: Role, **scope: str) -> Caller:
    return Caller(user_id="u", role=role, district_id="d1", **scope)


@pytest.mark.parametrize(("who", "sees"), [
    (caller(Role.resident, street_id="s1", community_id="c1"), {"home"}),
    (caller(Role.grid_worker, street_id="s1", community_id="c1", grid_id="g1"), {"home"}),
    (caller(Role.community_admin, street_id="s1", community_id="c1"), {"home"}),
    (caller(Role.merchant, street_id="s1", community_id="c1", merchant_id="m"), {"home"}),
    (caller(Role.street_admin, street_id="s1"), {"home", "neighbour"}),
    (caller(Role.district_admin), {"home", "neighbour", "other_street"}),
    (Caller.system(), {"home", "neighbour", "other_street", "other_district"}),
])
def test_each_role_sees_exactly_its_part_of_the_tree(who, sees):
    scopes = {"home": HOME, "neighbour": NEIGHBOUR, "other_street": OTHER_STREET,
              "other_district": OTHER_DISTRICT}
    assert {name for name, scope in scopes.items() if who.sees(scope)} == sees


def test_a_user_without_a_community_sees_no_community_record():
    assert not caller(Role.resident).sees(HOME)


def test_require_role_names_the_roles_needed():
    with pytest.raises(Forbidden) as raised:
        caller(Role.resident, community_id="c1").require_role(Role.community_admin)
    assert raised.value.status == 403
    assert "community_admin" in raised.value.fields["role"]


def test_the_system_caller_passes_role_checks():
    Caller.system().require_role(Role.community_admin)
