"""Identity checks role and scope itself: each RPC called directly with each role
(the gateway's own gates never get the chance to turn anyone away here)."""

from __future__ import annotations

import uuid

import pytest

from tests.identity.helpers import OK, SYSTEM, new_user, outcome

FORBIDDEN, HIDDEN, UNKNOWN = "403 forbidden", "404 not_found", "422 invalid_input"
# (role, where): where the caller is placed; X is another district. A unit outside the
# caller's reach is answered exactly as a made-up id (404, or 422 naming it in a body).
ROLES = [("system", "A"), ("district_admin", "A"), ("district_admin", "X"),
         ("street_admin", "A"), ("street_admin", "B"), ("community_admin", "A"),
         ("community_admin", "B"), ("grid_worker", "A"), ("resident", "A"), ("resident", "B"),
         ("ops", "A")]


def _as(tree, role: str, where: str) -> dict:
    return SYSTEM if role == "system" else tree.caller(role, where)


def _table(tree, call, expected: dict) -> None:
    got = {key: outcome(lambda key=key: call(_as(tree, *key))) for key in expected}
    assert got == expected


def _unique() -> str:
    return uuid.uuid4().hex[:6]


def test_only_the_system_creates_districts(identity, tree):
    _table(tree, lambda who: identity.create_district(
        who, {"name": "New", "code": f"n{_unique()}"}),
        {key: OK if key[0] == "system" else FORBIDDEN for key in ROLES})


OUTSIDE_A = {("district_admin", "X"), ("street_admin", "B"), ("community_admin", "B"),
             ("resident", "B"), ("ops", "A")}  # ops reads no record


def test_streets_are_added_by_the_system_or_their_districts_admin(identity, tree):
    ok = {("system", "A"), ("district_admin", "A")}
    _table(tree, lambda who: identity.create_street(
        who, {"district_id": tree.district["id"], "name": f"Street {_unique()}"}),
        {key: OK if key in ok else HIDDEN if key == ("district_admin", "X") else FORBIDDEN
         for key in ROLES})


def test_communities_are_added_by_the_district_or_their_streets_admin(identity, tree):
    ok = {("system", "A"), ("district_admin", "A"), ("street_admin", "A")}
    _table(tree, lambda who: identity.create_community(
        who, {"street_id": tree.streets["A"]["id"], "name": f"Community {_unique()}"}),
        {key: OK if key in ok else HIDDEN if key in OUTSIDE_A else FORBIDDEN
         for key in ROLES})


@pytest.mark.parametrize(("role", "may"), [
    ("resident", {("system", "A"), ("district_admin", "A"), ("street_admin", "A"),
                  ("community_admin", "A")}),
    ("community_admin", {("system", "A"), ("district_admin", "A"), ("street_admin", "A")}),
    ("street_admin", {("system", "A"), ("district_admin", "A")}),
    ("district_admin", {("system", "A"), ("district_admin", "A")}),
])
def test_accounts_are_created_only_by_those_above_them_in_their_scope(identity, tree, role,
                                                                      may):
    # An account placed in community or street A: who cannot see A is told it is unknown.
    unknown = OUTSIDE_A if role != "district_admin" else set()
    _table(tree, lambda who: identity.create_user(who, new_user(tree, role, "A")),
           {key: OK if key in may else UNKNOWN if key in unknown else FORBIDDEN
            for key in ROLES})


def test_a_communitys_accounts_are_listed_to_its_admins_only(identity, tree):
    expected = {key: FORBIDDEN for key in ROLES} | {
        ("system", "A"): OK, ("district_admin", "A"): OK, ("district_admin", "X"): HIDDEN,
        ("street_admin", "A"): OK, ("street_admin", "B"): HIDDEN,
        ("community_admin", "A"): OK, ("community_admin", "B"): HIDDEN}
    _table(tree, lambda who: identity.list_users(who, tree.communities["A"]["id"]), expected)


def test_a_community_is_visible_only_inside_its_scope(identity, tree):
    _table(tree, lambda who: identity.get_community(who, tree.communities["A"]["id"]),
           {key: HIDDEN if key in OUTSIDE_A else OK for key in ROLES})


def test_an_account_is_visible_to_itself_and_its_admins(identity, tree):
    user = identity.create_user(SYSTEM, new_user(tree, "resident", "A"))
    ok = {("system", "A"), ("district_admin", "A"), ("street_admin", "A"),
          ("community_admin", "A")}
    _table(tree, lambda who: identity.get_user(who, user["id"]),
           {key: OK if key in ok else HIDDEN for key in ROLES})
    itself = tree.caller("resident", "A", user_id=user["id"])
    assert identity.get_user(itself, user["id"])["username"] == user["username"]


def test_each_role_lists_the_units_of_its_own_reach(identity, tree):
    streets = {k: s["id"] for k, s in tree.streets.items()}
    communities = {k: c["id"] for k, c in tree.communities.items()}

    def units(role: str, where: str) -> set[str]:
        return {u["id"] for u in identity.list_units(tree.caller(role, where))}

    everything = set(streets.values()) | set(communities.values())
    assert units("district_admin", "A") == everything
    assert units("ops", "A") == everything
    assert units("district_admin", "X") == set()
    assert units("street_admin", "B") == {streets["B"], communities["B"]}
    assert units("community_admin", "A") == {streets["A"], communities["A"]}
    assert units("resident", "B") == {streets["B"], communities["B"]}


@pytest.mark.parametrize("call", [
    lambda rpc, who: rpc.create_district(who, {"name": "n", "code": "nn"}),
    lambda rpc, who: rpc.find_district(who, "nn"),
    lambda rpc, who: rpc.create_street(who, {"name": "n"}),
    lambda rpc, who: rpc.create_community(who, {"street_id": "s", "name": "n"}),
    lambda rpc, who: rpc.list_units(who),
    lambda rpc, who: rpc.get_community(who, "c"),
    lambda rpc, who: rpc.create_user(who, {}),
    lambda rpc, who: rpc.get_user(who, "u"),
    lambda rpc, who: rpc.list_users(who, "c"),
], ids=["create_district", "find_district", "create_street", "create_community",
        "list_units", "get_community", "create_user", "get_user", "list_users"])
@pytest.mark.parametrize("who", [{}, {"user_id": "u", "role": "mayor", "district_id": "d"}],
                         ids=["no caller", "unknown role"])
def test_every_rpc_refuses_a_missing_or_malformed_caller(identity, call, who):
    assert outcome(lambda: call(identity, who)) == "401 unauthenticated"
