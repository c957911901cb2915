"""Household votes: one ballot per household, only the electorate of the meeting's own
community, a durable close with the result published, a secret ballot that names no one."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from deploy.waits import wait_until
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.deliberation.models import Ballot, Meeting
from tests.deliberation.helpers import caller, events, held_meeting, minutes_body, wait_events


def open_vote(rpc, admin: dict, meeting_id: str, voters: dict[str, list[dict]],  # noqa: ANN001
              window: float = 2.5, **extra) -> dict:
    electorate = [{"household_id": h, "members": [v["user_id"] for v in members]}
                  for h, members in voters.items()]
    return rpc.deliberation.open_vote(admin, meeting_id, {
        "electorate": electorate, "closes_ts": time.time() + window} | extra)


def test_a_secret_household_vote_counts_each_household_once_and_names_no_one(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    r = {i: caller(dplatform, "resident", "A", f"v{i}") for i in range(5)}
    households = {"hh-1": [r[0], r[1]], "hh-2": [r[2]], "hh-3": [r[3]]}
    with dplatform.rpc() as rpc:
        meeting, _ = held_meeting(rpc, dplatform)
        with pytest.raises(Conflict):  # not reviewed yet
            open_vote(rpc, admin, meeting["id"], households)
        rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True})
        with pytest.raises(InvalidInput) as twice:
            open_vote(rpc, admin, meeting["id"], {"hh-1": [r[0]], "hh-2": [r[0]]})
        assert "electorate" in twice.value.fields
        opened = open_vote(rpc, admin, meeting["id"], households)
        assert opened["state"] == "voting" and opened["secret"] and opened["result"] is None

        receipt = rpc.deliberation.cast_ballot(r[0], meeting["id"], {"choice": "yes"})
        assert receipt == {"meeting_id": meeting["id"], "household_id": "hh-1",
                           "accepted": True}
        with pytest.raises(Conflict) as again:  # the same household through another member
            rpc.deliberation.cast_ballot(r[1], meeting["id"], {"choice": "no"})
        assert again.value.fields == {"meeting_id": "already voted"}
        with pytest.raises(Conflict):  # or the same voter twice
            rpc.deliberation.cast_ballot(r[0], meeting["id"], {"choice": "no"})
        with pytest.raises(Forbidden):  # of the community, not of the electorate
            rpc.deliberation.cast_ballot(r[4], meeting["id"], {"choice": "no"})
        with pytest.raises(NotFound):  # another community's resident
            rpc.deliberation.cast_ballot(caller(dplatform, "resident", "B", "v1"),
                                         meeting["id"], {"choice": "no"})
        with pytest.raises(InvalidInput) as bad:
            rpc.deliberation.cast_ballot(r[2], meeting["id"], {"choice": "maybe"})
        assert "choice" in bad.value.fields
        rpc.deliberation.cast_ballot(r[2], meeting["id"], {"choice": "yes"})
        # What an admin can read while the vote is open: no ballot, no tally.
        assert rpc.deliberation.get_meeting(admin, meeting["id"])["result"] is None

        assert wait_until(lambda: rpc.deliberation.get_meeting(admin, meeting["id"])["state"]
                          == "approved", timeout=10, every=0.2)
        closed = rpc.deliberation.get_meeting(admin, meeting["id"])
    assert closed["result"] == {"eligible": 3, "turnout": 2, "quorum_met": True,
                                "passed": True, "elected": [], "runoff": [], "round": 1,
                                "counts": {"yes": 2, "no": 0, "abstain": 0, "blank": 0}}
    (announced,) = wait_events("vote.opened", meeting_id=meeting["id"])  # notify tells residents
    assert (announced["eligible"], announced["election"]) == (3, False)
    (published,) = wait_events("vote.closed", meeting_id=meeting["id"])
    assert published["passed"] and published["turnout"] == 2
    approved = wait_events("decision.approved", meeting_id=meeting["id"])[0]
    assert approved["decision_id"] == meeting["decision_id"]
    assert [t["n"] for t in approved["tasks"]] == [1, 2]
    cast = wait_events("vote.cast", 2, meeting_id=meeting["id"])
    assert {e["account_id"] for e in cast} == {r[0]["user_id"], r[2]["user_id"]}
    for event in cast:  # who took part, never what they chose
        assert set(event) == {"meeting_id", "community_id", "account_id", "cast_ts"}
    assert_ballots_are_anonymous(dplatform, meeting["id"], ["hh-1", "hh-2"])


def assert_ballots_are_anonymous(platform, meeting_id: str, households: list[str]) -> None:  # noqa: ANN001
    """What the store keeps (read through the in-process service's connection)."""
    rows = list(Ballot._get_collection().find({"meeting_id": meeting_id}))
    meeting = Meeting._get_collection().find_one({"_id": meeting_id})
    assert len(rows) == 2
    for row in rows:
        assert row.get("voter_id") is None
        assert row.get("outbox") == []  # the vote.cast (its actor) left with the relay
        assert not any(h in row["_id"] for h in households)
    assert meeting.get("ballot_salt") is None  # wiped at close: no key back to households


def test_a_residents_convention_is_drafted_discussed_voted_and_published(dplatform):
    """居民公约 through the same path: its draft is read and discussed, its meeting must
    vote, and once the vote passes the text is published to the community's residents."""
    admin = caller(dplatform, "community_admin", "A")
    r = {i: caller(dplatform, "resident", "A", f"cv{i}") for i in range(2)}
    draft = "第一条 爱护公共设施。第二条 楼道不堆放杂物。"
    with dplatform.rpc() as rpc:
        with pytest.raises(InvalidInput) as bad:  # a convention has its text
            rpc.deliberation.propose_topic(admin, {"title": "公约", "detail": "x",
                                                   "category": "red", "kind": "convention"})
        assert "text" in str(bad.value.fields)
        meeting, people = held_meeting(rpc, dplatform, kind="convention", text=draft,
                                       title=f"居民公约 {time.time()}")
        topic = rpc.deliberation.get_topic(r[0], meeting["topic_id"])
        assert (topic["kind"], topic["text"], topic["published_ts"]) == (
            "convention", draft, None)
        rpc.deliberation.comment_topic(r[0], topic["id"], {"text": "加一条: 文明养犬"})
        with pytest.raises(InvalidInput) as unvoted:
            rpc.deliberation.review_decision(admin, meeting["id"], {
                "approve": True, "vote_required": False})
        assert "vote_required" in unvoted.value.fields
        # Returned for the comment: the meeting amends the text, the amended text is voted.
        rpc.deliberation.review_decision(admin, meeting["id"], {
            "approve": False, "reason": "采纳居民意见: 加一条文明养犬"})
        amended = draft + "第三条 文明养犬。"
        rpc.deliberation.record_minutes(admin, meeting["id"], minutes_body(
            [p["account_id"] for p in people]) | {"text": amended})
        rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True})
        open_vote(rpc, admin, meeting["id"], {"hc-0": [r[0]], "hc-1": [r[1]]}, window=1.2)
        for voter in r.values():
            rpc.deliberation.cast_ballot(voter, meeting["id"], {"choice": "yes"})
        assert wait_until(lambda: rpc.deliberation.get_topic(r[1], topic["id"])[
            "published_ts"] is not None, timeout=10, every=0.2)
        page = rpc.deliberation.list_conventions(r[1])["items"]
        assert page[0]["id"] == topic["id"] and page[0]["text"] == amended
        outsider = caller(dplatform, "resident", "B", "cv")
        assert topic["id"] not in [t["id"] for t in
                                   rpc.deliberation.list_conventions(outsider)["items"]]
        with pytest.raises(NotFound):
            rpc.deliberation.list_conventions(outsider, dplatform.community_id("A"))
        with pytest.raises(NotFound):
            rpc.deliberation.get_topic(outsider, topic["id"])
    (event,) = wait_events("convention.published", topic_id=topic["id"])
    assert event["community_id"] == dplatform.community_id("A")
    gw = dplatform.client.get("/conventions", headers=dplatform.headers("resident", "A", "cv0"))
    assert gw.status_code == 200 and topic["id"] in [t["id"] for t in gw.json()["items"]]


def test_without_a_quorum_the_vote_fails_and_the_topic_closes(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    r = {i: caller(dplatform, "resident", "A", f"q{i}") for i in range(3)}
    with dplatform.rpc() as rpc:
        meeting, _ = held_meeting(rpc, dplatform)
        rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True})
        open_vote(rpc, admin, meeting["id"], {f"hq-{i}": [r[i]] for i in range(3)},
                  window=1.2, secret=False)
        rpc.deliberation.cast_ballot(r[0], meeting["id"], {"choice": "yes"})
        assert wait_until(lambda: rpc.deliberation.get_meeting(admin, meeting["id"])["state"]
                          == "rejected", timeout=10, every=0.2)
        with pytest.raises(Conflict):  # closed: too late
            rpc.deliberation.cast_ballot(r[1], meeting["id"], {"choice": "yes"})
        result = rpc.deliberation.get_meeting(admin, meeting["id"])["result"]
        assert (result["turnout"], result["quorum_met"], result["passed"]) == (1, False, False)
        assert wait_until(lambda: rpc.deliberation.get_topic(admin, meeting["topic_id"])[
            "state"] == "closed", timeout=10, every=0.2)
    assert events("decision.approved", meeting_id=meeting["id"]) == []


def test_an_election_elects_by_majority_up_to_the_seats(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    r = {i: caller(dplatform, "resident", "A", f"e{i}") for i in range(3)}
    with dplatform.rpc() as rpc:
        meeting, people = held_meeting(rpc, dplatform)
        rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True})
        names = ["cand-a", "cand-b", "cand-c"]
        open_vote(rpc, admin, meeting["id"], {f"he-{i}": [r[i]] for i in range(3)},
                  window=2.0, candidates=names, seats=2)
        with pytest.raises(InvalidInput):
            rpc.deliberation.cast_ballot(r[0], meeting["id"], {"candidates": names})
        for i, picks in enumerate((["cand-a", "cand-b"], ["cand-a"], ["cand-c", "cand-a"])):
            rpc.deliberation.cast_ballot(r[i], meeting["id"], {"candidates": picks})
        assert wait_until(lambda: rpc.deliberation.get_meeting(admin, meeting["id"])["result"],
                          timeout=10, every=0.2)
        result = rpc.deliberation.get_meeting(admin, meeting["id"])["result"]
    assert result["elected"] == ["cand-a"]  # 3 of 3; b and c have 1 of 3 each
    assert result["counts"] == {"cand-a": 3, "cand-b": 1, "cand-c": 1, "blank": 0}


def test_a_secret_ballot_leaves_its_choice_in_no_log_line_and_no_reply(dplatform, caplog):
    admin = caller(dplatform, "community_admin", "A")
    voter = caller(dplatform, "resident", "A", "log-voter")
    with dplatform.rpc() as rpc:
        meeting, _ = held_meeting(rpc, dplatform)
        rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True})
        rpc.deliberation.open_vote(admin, meeting["id"], {
            "electorate": [{"household_id": "hl-1", "members": [voter["user_id"]]}],
            "closes_ts": time.time() + 60, "quorum": "none"})
        with caplog.at_level(logging.INFO):
            receipt = rpc.deliberation.cast_ballot(voter, meeting["id"], {"choice": "abstain"})
            with pytest.raises(Conflict):
                rpc.deliberation.cast_ballot(voter, meeting["id"], {"choice": "abstain"})
            view = rpc.deliberation.get_meeting(admin, meeting["id"])
            wait_events("vote.cast", meeting_id=meeting["id"])
    assert "abstain" not in str(receipt) and "abstain" not in str(view)
    lines = [r.getMessage() for r in caplog.records]
    assert lines, "the refusal is logged (one line)"
    assert not [line for line in lines if "abstain" in line]


def test_members_of_one_household_racing_to_vote_count_once(dplatform):
    admin = caller(dplatform, "community_admin", "A")
    members = [caller(dplatform, "resident", "A", f"race{i}") for i in range(6)]
    with dplatform.rpc() as rpc:
        meeting, _ = held_meeting(rpc, dplatform)
        rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True})
        open_vote(rpc, admin, meeting["id"], {"hr-1": members}, window=60, quorum="none")
    gate = threading.Barrier(len(members))

    def vote(who: dict) -> str:
        with dplatform.rpc() as rpc:
            gate.wait(timeout=30)
            try:
                rpc.deliberation.cast_ballot(who, meeting["id"], {"choice": "yes"})
                return "accepted"
            except Conflict as exc:
                assert exc.fields == {"meeting_id": "already voted"}
                return "refused"

    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        outcomes = list(pool.map(vote, members))
    assert sorted(outcomes) == ["accepted"] + ["refused"] * 5
    assert Ballot._get_collection().count_documents({"meeting_id": meeting["id"]}) == 1


def test_a_tie_at_the_last_seat_is_decided_by_a_runoff_round_of_the_same_households(dplatform):
    """2 seats: a has 4 of 5, b and c 3 of 5 each. The close elects a and opens round 2
    between b and c for one seat (the same households vote again; a is no candidate now);
    round 2's close elects b, and the decision is approved with a and b."""
    admin = caller(dplatform, "community_admin", "A")
    r = {i: caller(dplatform, "resident", "A", f"ro{i}") for i in range(5)}
    with dplatform.rpc() as rpc:
        meeting, _ = held_meeting(rpc, dplatform)
        rpc.deliberation.review_decision(admin, meeting["id"], {"approve": True})
        with pytest.raises(InvalidInput) as stranger:  # a name for no candidate
            open_vote(rpc, admin, meeting["id"], {"hr-0": [r[0]]}, candidates=["a", "b"],
                      seats=1, candidate_names={"z": "赵六"})
        assert "candidate_names" in stranger.value.fields
        open_vote(rpc, admin, meeting["id"], {f"hr-{i}": [r[i]] for i in range(5)},
                  window=2.0, candidates=["a", "b", "c"], seats=2,
                  candidate_names={"a": "张三", "b": "李四", "c": "王五"})
        for i, picks in enumerate((["a", "b"], ["a", "b"], ["a", "c"], ["a", "c"], ["b", "c"])):
            rpc.deliberation.cast_ballot(r[i], meeting["id"], {"candidates": picks})
        assert wait_until(lambda: rpc.deliberation.get_meeting(
            admin, meeting["id"])["vote_round"] == 2, timeout=10, every=0.2)
        runoff = rpc.deliberation.get_meeting(admin, meeting["id"])
        assert runoff["state"] == "voting"
        assert (runoff["candidates"], runoff["seats"]) == (["b", "c"], 1)
        assert runoff["candidate_names"] == {"b": "李四", "c": "王五"}  # the round's only
        assert runoff["result"]["elected"] == ["a"] and runoff["result"]["runoff"] == ["b", "c"]
        opened = wait_events("vote.opened", 2, meeting_id=meeting["id"])
        assert [e["round"] for e in opened] == [1, 2]

        with pytest.raises(InvalidInput) as gone:
            rpc.deliberation.cast_ballot(r[0], meeting["id"], {"candidates": ["a"]})
        assert "candidates" in gone.value.fields
        for i, pick in enumerate(("b", "b", "c", "b", "c")):
            rpc.deliberation.cast_ballot(r[i], meeting["id"], {"candidates": [pick]})
        with pytest.raises(Conflict):  # one ballot per household in this round too
            rpc.deliberation.cast_ballot(r[0], meeting["id"], {"candidates": ["c"]})
        assert wait_until(lambda: rpc.deliberation.get_meeting(
            admin, meeting["id"])["state"] != "voting", timeout=10, every=0.2)
        final = rpc.deliberation.get_meeting(admin, meeting["id"])
    assert final["state"] == "approved"
    assert final["result"]["elected"] == ["a", "b"] and final["result"]["round"] == 2
    assert final["result"]["counts"] == {"b": 3, "c": 2, "blank": 0}
    assert Ballot.objects(meeting_id=meeting["id"]).count() == 10
