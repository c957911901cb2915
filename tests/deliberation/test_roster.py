"""The representatives roster: by kind, per community and hall, each entry once, counted."""

from __future__ import annotations

import pytest

from deploy.waits import wait_until
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.deliberation.models import EVERYWHERE, DeliberationCounts
from tests.deliberation.helpers import caller, hall_body, tag


def counted(kind: str) -> int:
    row = DeliberationCounts._get_collection().find_one({"_id": EVERYWHERE}) or {}
    return row.get(f"representatives_{kind}") or 0


def test_representatives_are_listed_per_community_and_hall_and_counted_by_kind(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        hall = rpc.deliberation.create_hall(admin, hall_body())
        before = counted("cppcc_member")
        person = f"u-rep-{tag()}"
        body = {"account_id": person, "display_name": "李委员", "kind": "cppcc_member",
                "hall_id": hall["id"]}
        first = rpc.deliberation.add_representative(admin, body)
        assert rpc.deliberation.add_representative(admin, body) == first  # once
        other = rpc.deliberation.add_representative(admin, body | {"kind": "lawyer",
                                                                   "hall_id": None})
        assert other["id"] != first["id"]
        in_hall = rpc.deliberation.list_representatives(admin, None, hall["id"])["items"]
        assert [r["id"] for r in in_hall] == [first["id"]]
        everyone = rpc.deliberation.list_representatives(admin, None, None, 100)["items"]
        assert {first["id"], other["id"]} <= {r["id"] for r in everyone}
        assert wait_until(lambda: counted("cppcc_member") == before + 1, timeout=5, every=0.1)

        outsider = caller(dplatform, "community_admin", "B")
        with pytest.raises(NotFound):  # a hall of another community
            rpc.deliberation.add_representative(outsider, body)
        with pytest.raises(NotFound):
            rpc.deliberation.list_representatives(outsider, None, hall["id"])
        with pytest.raises(Forbidden):
            rpc.deliberation.add_representative(caller(dplatform, "resident", "A", "r1"), body)
        with pytest.raises(InvalidInput) as bad:
            rpc.deliberation.add_representative(admin, body | {"kind": "king"})
        assert "kind" in bad.value.fields
