"""The offer sequence: best first; decline or no answer moves on; accept ends it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.common.errors import Conflict, NotFound
from services.volunteers.domain import offers

TTL = 600.0


def match(n: int = 3) -> SimpleNamespace:
    m = SimpleNamespace(id="m1", community_id="c1", need_kind="wish", need_id="w1",
                        skill="plumbing", state="new", offers=[], cursor=0, offered_to=None,
                        next_due_ts=None,
                        candidates=[{"account_id": f"u{i}", "score": 1 - i / 10}
                                    for i in range(n)])
    return m


def step(m: SimpleNamespace, decision) -> SimpleNamespace:  # noqa: ANN001
    for name, value in decision.changes.items():
        setattr(m, name, value)
    return m


def test_decline_then_no_answer_then_accept_walks_the_candidates_in_order():
    m = match()
    d = offers.start(m, 100.0, TTL)
    step(m, d)
    assert (m.offered_to, m.next_due_ts) == ("u0", 700.0)
    assert d.events[0].rank == 1 and d.events[0].due_ts == 700.0
    step(m, offers.answer(m, "u0", False, 200.0, TTL))
    assert (m.offered_to, m.next_due_ts) == ("u1", 800.0)
    assert offers.lapse(m, 799.0, TTL) is None  # not yet due
    step(m, offers.lapse(m, 800.0, TTL))
    assert (m.offered_to, m.cursor, m.next_due_ts) == ("u2", 2, 1400.0)
    d = offers.answer(m, "u2", True, 900.0, TTL)
    step(m, d)
    assert m.state == "accepted" and m.next_due_ts is None
    assert [(o["account_id"], o["outcome"]) for o in m.offers] == [
        ("u0", "declined"), ("u1", "timed_out"), ("u2", "accepted")]
    (accepted,) = d.events
    assert (accepted.volunteer_account_id, accepted.rank, accepted.score) == ("u2", 3, 0.8)
    assert offers.lapse(m, 5000.0, TTL) is None  # a stale timer finds nothing to do


def test_past_the_last_candidate_the_match_is_exhausted():
    m = step(match(1), offers.start(match(1), 0.0, TTL))
    d = offers.lapse(m, TTL, TTL)
    step(m, d)
    assert m.state == "exhausted" and m.next_due_ts is None
    assert d.events[0].offered == 1


def test_only_the_offered_candidate_answers():
    m = step(match(), offers.start(match(), 0.0, TTL))
    with pytest.raises(NotFound):
        offers.answer(m, "u1", True, 1.0, TTL)  # not offered yet: as if unknown
    step(m, offers.answer(m, "u0", False, 1.0, TTL))
    with pytest.raises(Conflict):
        offers.answer(m, "u0", True, 2.0, TTL)  # declined already


def test_no_candidates_exhausts_at_once():
    m = step(match(0), offers.start(match(0), 0.0, TTL))
    assert m.state == "exhausted"


def test_a_restart_offers_the_new_candidates_from_the_first_whatever_the_state_was():
    m = match()
    step(m, offers.start(m, 100.0, TTL))
    step(m, offers.answer(m, "u0", True, 150.0, TTL))
    assert (m.state, m.accepted_by) == ("accepted", "u0")
    m.round = 0
    fresh = [{"account_id": "u7", "score": 0.9}, {"account_id": "u8", "score": 0.5}]
    d = offers.restart(m, fresh, 200.0, TTL, skill="repair", excluded=["u0"])
    step(m, d)
    assert (m.state, m.offered_to, m.cursor, m.next_due_ts) == ("offering", "u7", 0, 800.0)
    assert (m.accepted_by, m.accepted_ts, m.round, m.skill, m.excluded) == (
        None, None, 1, "repair", ["u0"])
    assert [o["account_id"] for o in m.offers] == ["u7"]  # the old sequence's offers left behind
    assert [(e.volunteer_account_id, e.rank) for e in d.events] == [("u7", 1)]
    step(m, offers.answer(m, "u7", False, 300.0, TTL))
    assert m.offered_to == "u8"


def test_a_restart_with_nobody_left_is_exhausted_at_once():
    m = match()
    m.round = 2
    d = offers.restart(m, [], 100.0, TTL)
    step(m, d)
    assert (m.state, m.offered_to, m.next_due_ts, m.round) == ("exhausted", None, None, 3)
    assert d.events[0].offered == 0


def test_a_need_taken_another_way_stops_the_offers_and_voids_a_lost_acceptance():
    m = match()
    step(m, offers.start(m, 100.0, TTL))
    step(m, offers.taken(m, "u-member", 150.0))
    assert (m.state, m.next_due_ts, m.offers[-1]["outcome"]) == ("cancelled", None, "cancelled")
    assert offers.taken(m, "u-member", 160.0) is None  # a redelivery
    won = match()
    step(won, offers.start(won, 100.0, TTL))
    step(won, offers.answer(won, "u0", True, 120.0, TTL))
    assert offers.taken(won, "u0", 130.0) is None  # its own assignment
    step(won, offers.taken(won, "u-member", 130.0))
    assert won.state == "cancelled"
