"""Bad input to identity is refused with its exact status, code and field, and writes nothing."""

from __future__ import annotations

import pytest

from services.common.errors import DomainError
from tests.identity.helpers import SYSTEM, new_user


def _refusal(call) -> tuple[int, str, dict]:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.status, refused.value.code, refused.value.fields


def _field(refusal: tuple[int, str, dict]) -> tuple[int, str, list[str]]:
    status, code, fields = refusal
    return status, code, sorted(fields)


def test_a_district_code_outside_its_pattern_is_422_naming_code(identity):
    assert _field(_refusal(lambda: identity.create_district(
        SYSTEM, {"name": "Bad", "code": "Not Valid!"}))) == (422, "invalid_input", ["code"])


def test_an_unknown_field_is_422_naming_it(identity, tree):
    assert _field(_refusal(lambda: identity.create_street(
        SYSTEM, {"district_id": tree.district["id"], "name": "S", "mayor": "x"}))) == (
        422, "invalid_input", ["mayor"])


def test_a_taken_district_code_is_409_already_exists(identity, tree):
    code = tree.district["id"]  # any code; take one first
    identity.create_district(SYSTEM, {"name": "One", "code": "dup-code-" + code[-6:]})
    assert _refusal(lambda: identity.create_district(
        SYSTEM, {"name": "Two", "code": "dup-code-" + code[-6:]})) == (
        409, "already_exists", {"code": "already exists"})


def test_a_street_in_an_unknown_district_is_404_naming_district_id(identity):
    assert _refusal(lambda: identity.create_street(
        SYSTEM, {"district_id": "d-nope", "name": "S"})) == (
        404, "not_found", {"district_id": "unknown"})


def test_a_community_in_an_unknown_street_is_404_naming_street_id(identity):
    assert _refusal(lambda: identity.create_community(
        SYSTEM, {"street_id": "s-nope", "name": "C"})) == (
        404, "not_found", {"street_id": "unknown"})


def test_a_taken_community_name_in_its_street_is_409_and_stores_no_second(identity, tree):
    street_id = tree.streets["A"]["id"]
    assert _refusal(lambda: identity.create_community(
        SYSTEM, {"street_id": street_id, "name": "Community A"})) == (
        409, "already_exists", {"name": "already exists"})
    names = [u["name"] for u in identity.list_units(tree.caller("street_admin", "A"))]
    assert names.count("Community A") == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"role": "system"}, "role"),
    ({"community_id": None}, "community_id"),  # a resident needs a community
    ({"password": "short"}, "password"),
    ({"username": "a b"}, "username"),
    ({"phone": "call me"}, "phone"),
    ({"display_name": ""}, "display_name"),
    ({"role": "grid_worker"}, "grid_id"),
    ({"role": "mayor"}, "role"),
])
def test_an_account_that_breaks_its_contract_is_422_naming_the_field(identity, tree, change,
                                                                     field):
    body = new_user(tree, "resident", "A") | change
    assert _field(_refusal(lambda: identity.create_user(SYSTEM, body))) == (
        422, "invalid_input", [field])
    assert all(u["username"] != body["username"] for u in identity.list_users(
        SYSTEM, tree.communities["A"]["id"]))


@pytest.mark.parametrize(("place", "field"), [
    ({"community_id": "c-nope"}, "community_id"),
    ({"community_id": None, "role": "street_admin", "street_id": "s-nope"}, "street_id"),
    ({"community_id": None, "role": "district_admin", "district_id": "d-nope"}, "district_id"),
])
def test_an_account_placed_in_an_unknown_unit_is_422_naming_it(identity, tree, place, field):
    body = new_user(tree, "resident", "A") | place
    assert _refusal(lambda: identity.create_user(SYSTEM, body)) == (
        422, "invalid_input", {field: "unknown"})


def test_a_taken_username_is_409_and_the_first_account_stays(identity, tree):
    body = new_user(tree, "resident", "A")
    first = identity.create_user(SYSTEM, body)
    assert _refusal(lambda: identity.create_user(SYSTEM, body | {"display_name": "Second"})) == (
        409, "already_exists", {"username": "already exists"})
    assert identity.get_user(SYSTEM, first["id"])["display_name"] == body["display_name"]


def test_unknown_ids_are_404_naming_them(identity, tree):
    assert _refusal(lambda: identity.get_user(SYSTEM, "u-nope")) == (
        404, "not_found", {"user_id": "unknown"})
    assert _refusal(lambda: identity.get_community(SYSTEM, "c-nope")) == (
        404, "not_found", {"community_id": "unknown"})
    assert _refusal(lambda: identity.list_users(SYSTEM, "c-nope")) == (
        404, "not_found", {"community_id": "unknown"})


def test_wrong_credentials_authenticate_nobody_and_bad_ones_are_422(identity, tree):
    body = new_user(tree, "resident", "A")
    identity.create_user(SYSTEM, body)
    assert identity.authenticate({"username": body["username"], "password": "wrong-pass"}) is None
    assert identity.authenticate({"username": "nobody-here", "password": "x"}) is None
    assert identity.authenticate({"username": body["username"],
                                  "password": body["password"]})["role"] == "resident"
    assert _field(_refusal(lambda: identity.authenticate({"username": ""}))) == (
        422, "invalid_input", ["password", "username"])


def test_a_district_from_anyone_but_the_system_is_403_before_its_body_is_read(identity, tree):
    assert _refusal(lambda: identity.create_district(
        tree.caller("district_admin"), {"code": "Not Valid!"})) == (
        403, "forbidden", {"role": "needs one of system"})
