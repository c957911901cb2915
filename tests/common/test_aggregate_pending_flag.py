"""An aggregate that read `outbox_pending: True` must still write it with its new events:
the relay may have published and cleared the flag in between (lost events otherwise), and
must not write back the events the relay published (published twice otherwise)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import mongoengine as me
import pytest

from services.common.caller import Caller
from services.common.contracts import new_event
from services.common.contracts.identity import CommunityCreated
from services.common.store import Aggregate, StaleWrite

ALIAS = "pending_flag"


class Thing(Aggregate):
    meta = {"db_alias": ALIAS, "collection": "things"}
    id = me.StringField(primary_key=True)


@pytest.fixture
def things(store_uri: str) -> Iterator[None]:
    name = f"flag_{uuid.uuid4().hex[:10]}"
    me.connect(db=name, host=store_uri, alias=ALIAS, uuidRepresentation="standard",
               tz_aware=True)
    yield
    me.get_connection(ALIAS).drop_database(name)
    me.disconnect(ALIAS)


def _event() -> object:
    return new_event(CommunityCreated(community_id="c", name="n", street_id="s",
                                      district_id="d"), Caller.system(), "c")


def test_events_recorded_after_the_relay_cleared_the_flag_stay_pending(things):
    thing = Thing(id="t1")
    thing.record(_event())
    thing.commit()
    stale = Thing.objects.get(id="t1")  # reads outbox_pending True
    coll = Thing._get_collection()  # the relay publishes and clears meanwhile
    coll.update_one({"_id": "t1"}, {"$set": {"outbox": [], "outbox_pending": False}})
    stale.record(_event())
    # Its $set of the whole outbox would publish the first event again: refused, and the
    # commit frame's retry (a fresh read) writes only the new one, with the flag.
    with pytest.raises(StaleWrite):
        stale.commit()
    fresh = Thing.objects.get(id="t1")
    second = _event()
    fresh.record(second)
    fresh.commit()
    stored = coll.find_one({"_id": "t1"})
    assert [e["id"] for e in stored["outbox"]] == [second.id]
    assert bool(stored["outbox_pending"]) is True
