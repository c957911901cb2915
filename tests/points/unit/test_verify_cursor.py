"""Verify's cursor inside one account's walk: what it carries, and what it refuses."""

from __future__ import annotations

import base64
import json

import pytest

from services.common.errors import InvalidInput
from services.points import verify


def _state(fields: object) -> str:
    return "." + base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


def test_a_walk_goes_through_the_cursor_and_back():
    walk = verify.Walk("acct:c1:pool", seq=7, side=1, after="1.5|pst-ab", expected=-40,
                       postings=1000, in_transit=3, attempts=1)
    assert verify._decode("c1", verify._encode("YzE", walk)) == ("YzE", walk)
    assert verify._decode("c1", verify._encode(None, walk)) == (None, walk)
    assert verify._decode("c1", "YzE") == ("YzE", None)  # between accounts: as before


@pytest.mark.parametrize("fields", [
    {"account": "acct:c1:pool"}, "acct:c1:pool", 5, [1, 2],
    ["acct:c2:pool", 1, 0, None, 0, 0, 0, 0],  # another community's account
    ["acct:c1:pool", "7", 0, None, 0, 0, 0, 0],  # a seq that is not a number
    ["acct:c1:pool", 7, 0, None, "x", 0, 0, 0],  # a sum that is not a number
    ["acct:c1:pool", 7, 5, None, 0, 0, 0, 0],  # no such side
    ["acct:c1:pool", 7, 0, None, 0, 0, 0, verify.ATTEMPTS],  # restarted too often
])
def test_a_made_up_walk_is_a_422_naming_the_cursor(fields):
    with pytest.raises(InvalidInput) as refused:
        verify._decode("c1", _state(fields))
    assert refused.value.fields == {"cursor": "malformed"}
    with pytest.raises(InvalidInput):
        verify._decode("c1", ".%%%")
