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


def test_the_fixed_four_sit_only_from_the_roster_and_a_removed_entry_seats_no_one(dplatform):
    from tests.deliberation.helpers import listed_topic, roster, slot_start

    admin = caller(dplatform, "community_admin", "A")
    with dplatform.rpc() as rpc:
        hall = rpc.deliberation.create_hall(admin, hall_body())
        people = roster(dplatform)
        police = people[2]["account_id"]
        rep_id = f"{dplatform.community_id('A')}:{police}:police"
        before = counted("police")

        def book() -> dict:
            start = slot_start()
            return rpc.deliberation.schedule_meeting(admin, {
                "topic_id": listed_topic(rpc, admin)["id"], "hall_id": hall["id"],
                "starts_ts": start, "ends_ts": start + 1800, "participants": people})

        stranger, start = f"u-nobody-{tag()}", slot_start()
        with pytest.raises(InvalidInput) as bad:  # a police seat for someone not on it
            rpc.deliberation.schedule_meeting(admin, {
                "topic_id": listed_topic(rpc, admin)["id"], "hall_id": hall["id"],
                "starts_ts": start, "ends_ts": start + 1800,
                "participants": [*people[:2], {"account_id": stranger, "party": "police"},
                                 *people[3:]]})
        assert stranger in bad.value.fields["participants"]
        assert book()["state"] == "scheduled"  # the stakeholder needs no entry

        outsider = caller(dplatform, "community_admin", "B")
        with pytest.raises(NotFound):  # another tenant's entry: the same 404 as none
            rpc.deliberation.remove_representative(outsider, rep_id)
        with pytest.raises(NotFound):
            rpc.deliberation.remove_representative(admin, f"{rep_id}-made-up")
        with pytest.raises(Forbidden):
            rpc.deliberation.remove_representative(caller(dplatform, "resident", "A"), rep_id)
        gone = dplatform.client.post(f"/representatives/{rep_id}/remove",
                                     headers=dplatform.headers("community_admin", "A"),
                                     json={"reason": "调离"})
        assert gone.status_code == 200, gone.text
        assert rpc.deliberation.remove_representative(admin, rep_id)["id"] == rep_id  # again
        assert wait_until(lambda: counted("police") == before - 1, timeout=5, every=0.1)
        listed = rpc.deliberation.list_representatives(admin, None, None, 100)["items"]
        assert rep_id not in [r["id"] for r in listed]
        with pytest.raises(InvalidInput) as bad:
            book()
        assert police in bad.value.fields["participants"]

        rpc.deliberation.add_representative(admin, {"account_id": police,
                                                    "display_name": "张警官", "kind": "police"})
        assert wait_until(lambda: counted("police") == before, timeout=5, every=0.1)
        assert book()["state"] == "scheduled"  # back on the roster: seated again
