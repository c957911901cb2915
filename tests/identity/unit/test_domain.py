"""Identity's pure rules: who may shape the tenancy tree and create which accounts."""

from __future__ import annotations

import pytest

from services.common.caller import Caller, Role
from services.common.errors import Forbidden
from services.identity import domain


def caller(role: Role, district: str = "d1", street: str | None = "s1",
           community: str | None = "c1") -> Caller:
    return Caller(user_id="u", role=role, district_id=district, street_id=street,
                  community_id=community)


def allowed(check, *args) -> bool:
    try:
        check(*args)
    except Forbidden:
        return False
    return True


def test_streets_belong_to_the_district_admin_of_their_district():
    assert allowed(domain.check_may_create_street, caller(Role.district_admin), "d1")
    assert not allowed(domain.check_may_create_street, caller(Role.district_admin), "d2")
    assert not allowed(domain.check_may_create_street, caller(Role.street_admin), "d1")
    assert allowed(domain.check_may_create_street, Caller.system(), "d9")


def test_communities_belong_to_their_district_or_their_streets_admin():
    check = domain.check_may_create_community
    assert allowed(check, caller(Role.district_admin), "d1", "s7")
    assert allowed(check, caller(Role.street_admin), "d1", "s1")
    assert not allowed(check, caller(Role.street_admin), "d1", "s2")
    assert not allowed(check, caller(Role.community_admin), "d1", "s1")


@pytest.mark.parametrize(("who", "role", "street", "community", "may"), [
    (Role.community_admin, Role.resident, "s1", "c1", True),
    (Role.community_admin, Role.merchant, "s1", "c1", True),
    (Role.community_admin, Role.community_admin, "s1", "c1", False),
    (Role.community_admin, Role.resident, "s1", "c2", False),
    (Role.street_admin, Role.community_admin, "s1", "c1", True),
    (Role.street_admin, Role.community_admin, "s2", "c5", False),
    (Role.street_admin, Role.street_admin, "s1", None, False),
    (Role.district_admin, Role.street_admin, "s2", None, True),
    (Role.resident, Role.resident, "s1", "c1", False),
    (Role.ops, Role.resident, "s1", "c1", False),
])
def test_accounts_are_created_below_the_creator_and_inside_its_scope(who, role, street,
                                                                     community, may):
    assert allowed(domain.check_may_create_user, caller(who), role, "d1", street,
                   community) is may


def test_nobody_creates_accounts_in_another_district():
    assert not allowed(domain.check_may_create_user, caller(Role.district_admin), Role.resident,
                       "d2", "s1", "c1")


def test_a_password_matches_only_its_own_hash_and_never_a_missing_one():
    hashed = domain.hash_password("correct horse")
    assert domain.password_matches(hashed, "correct horse")
    assert not domain.password_matches(hashed, "wrong horse")
    assert not domain.password_matches(None, "correct horse")
    assert not domain.password_matches("not-a-hash", "correct horse")


@pytest.mark.parametrize(("role", "expected"), [
    (Role.district_admin, domain.Reach(district_id="d1")),
    (Role.ops, domain.Reach(district_id="d1")),
    (Role.street_admin, domain.Reach(street_id="s1")),
    (Role.community_admin, domain.Reach(street_id="s1", community_id="c1")),
    (Role.resident, domain.Reach(street_id="s1", community_id="c1")),
])
def test_each_role_reaches_its_district_street_or_community(role, expected):
    assert domain.reach(caller(role)) == expected


def test_an_account_is_seen_by_itself_and_by_admins_whose_scope_holds_it():
    from services.common.caller import Scope

    home = Scope(district_id="d1", street_id="s1", community_id="c1")
    assert domain.may_see_user(caller(Role.resident), "u", home)  # itself
    assert not domain.may_see_user(caller(Role.resident), "someone-else", home)
    assert domain.may_see_user(caller(Role.community_admin), "someone-else", home)
    assert not domain.may_see_user(caller(Role.community_admin, community="c2"), "x", home)
    assert domain.may_see_user(caller(Role.street_admin, community=None), "x", home)


def test_a_new_community_announces_itself_as_a_value():
    from services.common.contracts.identity import CommunityCreated
    from services.identity.models import Community

    community = Community(id="c9", district_id="d1", street_id="s1", name="Garden")
    decision = domain.community_created(community)
    assert decision.events == [CommunityCreated(community_id="c9", name="Garden",
                                                street_id="s1", district_id="d1")]
    assert decision.changes == {} and decision.history == ()


def test_a_hash_made_under_either_hashing_verifies_under_the_other():
    was = domain.use_hashing("rfc9106_low_memory")
    try:
        standard = domain.hash_password("correct horse")
        assert "m=65536,t=3" in standard
        assert domain.use_hashing("cheapest_for_tests") == "rfc9106_low_memory"
        cheap = domain.hash_password("correct horse")
        assert "m=8,t=1" in cheap and domain.password_matches(standard, "correct horse")
        domain.use_hashing("rfc9106_low_memory")
        assert domain.password_matches(cheap, "correct horse")
        assert not domain.password_matches(cheap, "wrong horse")
    finally:
        domain.use_hashing(was)  # what this process's identity containers set
