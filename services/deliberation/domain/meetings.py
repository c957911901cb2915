"""A "4 + N" meeting and its decision, pure: roster, attendance, minutes, review, the vote.

scheduled → held (structured minutes and a proposed plan) → reviewed | returned (the party
committee's 审议; a returned plan is deliberated again) → voting → approved | rejected.
A plan approved without a vote is approved at review.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from services.common.aggregate import Decision
from services.common.contracts.deliberation import (
    FIXED_PARTIES,
    ApprovedTask,
    DecisionApproved,
    DecisionEscalated,
    DecisionExecuted,
    DecisionOverdue,
    DecisionReviewed,
    MeetingAttended,
    MeetingCancelled,
    MeetingHeld,
    MeetingState,
    MinutesIn,
    Participant,
    ReviewIn,
    VoteClosed,
    VoteOpened,
)
from services.common.contracts.evaluation import EvaluationItemOpened, ItemKind
from services.common.contracts.workflow import Level
from services.common.errors import Conflict, InvalidInput
from services.common.paging import page_key
from services.deliberation.domain.votes import Result
from services.deliberation.models import SLOT_SECONDS

S = MeetingState
RATING_WINDOW_SECONDS = 30 * 86400  # residents rate a decision up to a month past its deadline
# The community has this long past an overdue decision's deadline before its street takes
# it up (督: the order's way of escalating, for the decision itself).
ESCALATE_AFTER_SECONDS = 3 * 86400
# An election tied at the last seat goes to a new round among the tied, at most this many
# rounds in all; a tie in the last leaves its seats to the community (its result names them).
MAX_ROUNDS = 3


def slots(hall_id: str, starts_ts: float, ends_ts: float) -> list[str]:
    """The half-hour slots a meeting holds: "<hall>:<slot number>"."""
    first, last = math.floor(starts_ts / SLOT_SECONDS), math.ceil(ends_ts / SLOT_SECONDS)
    return [f"{hall_id}:{n}" for n in range(first, last)]


def roster(participants: list[Participant]) -> list[dict[str, Any]]:
    """The roster, each person once; the four fixed parties must all be there (the "4")."""
    seen: set[str] = set()
    out = []
    for p in participants:
        if p.account_id in seen:
            raise InvalidInput("a participant is listed twice", {"participants": p.account_id})
        seen.add(p.account_id)
        out.append({"account_id": p.account_id, "party": p.party.value, "attended": False})
    missing = {f.value for f in FIXED_PARTIES} - {p["party"] for p in out}
    if missing:
        raise InvalidInput("the four fixed parties sit at every meeting",
                           {"participants": f"missing {', '.join(sorted(missing))}"})
    return out


def cancel(meeting: Any, reason: str) -> Decision | None:
    """Call a meeting off before its decision is reviewed (a redelivery: nothing)."""
    if meeting.state == S.cancelled.value:
        return None
    _require(meeting, S.scheduled, S.held, S.returned)
    return Decision(changes={"state": S.cancelled.value}, events=[MeetingCancelled(
        meeting_id=meeting.id, community_id=meeting.community_id, topic_id=meeting.topic_id,
        reason=reason)])


def _require(meeting: Any, *states: MeetingState) -> None:
    if meeting.state not in {s.value for s in states}:
        raise Conflict(f"the meeting is {meeting.state}", {"state": meeting.state})


def attend(meeting: Any, account_ids: list[str], now: float) -> Decision | None:
    """Attendance: each participant once (an event per new attendee; points may pay)."""
    _require(meeting, S.scheduled, S.held)
    known = {p["account_id"] for p in meeting.participants}
    strangers = [a for a in account_ids if a not in known]
    if strangers:
        raise InvalidInput("not on the meeting's roster", {"account_ids": strangers[0]})
    wanted, events, rows = set(account_ids), [], []
    for p in meeting.participants:
        row = dict(p)
        if p["account_id"] in wanted and not p.get("attended"):
            row["attended"] = True
            events.append(MeetingAttended(meeting_id=meeting.id, community_id=meeting.community_id,
                                          account_id=p["account_id"], attended_ts=now))
        rows.append(row)
    return Decision(changes={"participants": rows}, events=events) if events else None


def record_minutes(meeting: Any, minutes: MinutesIn) -> Decision:
    """The debate as steps (each speaker on the roster) and the proposed plan."""
    _require(meeting, S.scheduled, S.returned)
    known = {p["account_id"] for p in meeting.participants}
    for step in minutes.steps:
        if step.speaker_id not in known:
            raise InvalidInput("the speaker is not on the roster", {"steps": step.speaker_id})
    if minutes.text is not None and meeting.topic_kind != "convention":
        raise InvalidInput("only a convention's meeting amends its text",
                           {"text": "not a convention"})
    return Decision(changes={"state": S.held.value, "convention_text": minutes.text,
                             "steps": [s.model_dump(mode="json") for s in minutes.steps],
                             "plan": minutes.plan.model_dump(mode="json"), "review_reason": ""},
                    events=[MeetingHeld(meeting_id=meeting.id, community_id=meeting.community_id,
                                        topic_id=meeting.topic_id, steps=len(minutes.steps))])


def approved(meeting: Any) -> DecisionApproved:
    plan = meeting.plan
    return DecisionApproved(
        decision_id=meeting.decision_id, meeting_id=meeting.id, topic_id=meeting.topic_id,
        community_id=meeting.community_id, district_id=meeting.district_id,
        street_id=meeting.street_id, summary=plan["summary"], leader=plan["leader"],
        department_id=plan.get("department_id"), cooperating=list(plan.get("cooperating") or []),
        deadline_ts=plan["deadline_ts"],
        tasks=[ApprovedTask(n=i + 1, category=t["category"], summary=t["summary"])
               for i, t in enumerate(plan["tasks"])],
        # Meetings scheduled before the renewal carry none of these: a matter, untitled.
        topic_kind=getattr(meeting, "topic_kind", None) or "matter",
        title=getattr(meeting, "topic_title", None) or "",
        renewal=dict(terms) if (terms := getattr(meeting, "renewal", None)) else None)


def approval(meeting: Any) -> list[Any]:
    """An approved decision's events: the work for dispatch (办) and the item residents rate
    in evaluation once it is done (评), open until a month after the plan's deadline."""
    decided = approved(meeting)
    rate_until = datetime.fromtimestamp(decided.deadline_ts + RATING_WINDOW_SECONDS, UTC)
    return [decided, EvaluationItemOpened(
        item_id=meeting.decision_id, kind=ItemKind.decision, community_id=meeting.community_id,
        title=decided.summary[:200], closes_at=rate_until)]


def supervised(meeting: Any) -> dict[str, Any]:
    """The fields an approval adds: the deadline the timer watches and the tasks to do."""
    return {"supervise_ts": float(meeting.plan["deadline_ts"]),
            "tasks_total": len(meeting.plan["tasks"]), "tasks_done": []}


def task_done(meeting: Any, n: int, now: float) -> Decision | None:
    """A task's order was confirmed; the last one executes the decision (on time or not)."""
    if meeting.state != S.approved.value or n in meeting.tasks_done or not (
            1 <= n <= meeting.tasks_total):
        return None
    done = sorted([*meeting.tasks_done, n])
    if len(done) < meeting.tasks_total:
        return Decision(changes={"tasks_done": done})
    return Decision(changes={"tasks_done": done, "executed_ts": now, "supervise_ts": None},
                    events=[DecisionExecuted(
                        decision_id=meeting.decision_id, meeting_id=meeting.id,
                        community_id=meeting.community_id, executed_ts=now,
                        on_time=now <= meeting.plan["deadline_ts"])])


def due(meeting: Any, now: float) -> Decision | None:
    """What the supervision timer does with a decision due: overdue first, then up to the
    street, then (still open another grace later) up to the district."""
    if meeting.escalated_ts:
        return escalate_to_district(meeting, now)
    return escalate(meeting, now) if meeting.overdue else overdue(meeting, now)


def overdue(meeting: Any, now: float) -> Decision | None:
    """督: the deadline passed with work open: marked once and the street told; the timer
    comes back `ESCALATE_AFTER_SECONDS` past the deadline to escalate it."""
    if meeting.supervise_ts is None or meeting.supervise_ts > now or meeting.executed_ts \
            or meeting.overdue:
        return None
    again = float(meeting.plan["deadline_ts"]) + ESCALATE_AFTER_SECONDS
    return Decision(changes={"overdue": True, "supervise_ts": again}, events=[DecisionOverdue(
        decision_id=meeting.decision_id, meeting_id=meeting.id,
        community_id=meeting.community_id, street_id=meeting.street_id,
        deadline_ts=meeting.plan["deadline_ts"], tasks_done=len(meeting.tasks_done),
        tasks_total=meeting.tasks_total)])


def escalate(meeting: Any, now: float) -> Decision | None:
    """Still open past the grace: up to the street, once (on its list and by event); the
    timer comes back a grace later for the district."""
    if meeting.supervise_ts is None or meeting.supervise_ts > now or meeting.executed_ts \
            or meeting.escalated_ts:
        return None
    key = page_key(f"s:{meeting.district_id}:{meeting.street_id}", now, meeting.id) \
        if meeting.street_id else None  # a community under no street: the district next
    again = float(meeting.plan["deadline_ts"]) + 2 * ESCALATE_AFTER_SECONDS
    return Decision(changes={"escalated_ts": now, "escalation_key": key, "supervise_ts": again},
                    events=[_escalated(meeting, now, Level.street)])


def escalate_to_district(meeting: Any, now: float) -> Decision | None:
    """Still open a grace after the street had it: up to the district, once (its list)."""
    if meeting.supervise_ts is None or meeting.supervise_ts > now or meeting.executed_ts \
            or not meeting.escalated_ts or meeting.district_escalated_ts:
        return None
    key = page_key(f"d:{meeting.district_id}", now, meeting.id)
    return Decision(changes={"district_escalated_ts": now, "district_escalation_key": key,
                             "supervise_ts": None},
                    events=[_escalated(meeting, now, Level.district)])


def _escalated(meeting: Any, now: float, level: Level) -> DecisionEscalated:
    return DecisionEscalated(
        decision_id=meeting.decision_id, meeting_id=meeting.id, topic_id=meeting.topic_id,
        community_id=meeting.community_id, district_id=meeting.district_id,
        street_id=meeting.street_id, deadline_ts=meeting.plan["deadline_ts"],
        escalated_ts=now, tasks_done=len(meeting.tasks_done),
        tasks_total=meeting.tasks_total, level=level)


def review(meeting: Any, verdict: ReviewIn) -> Decision:
    """审议: approve (to a vote, or approved outright) or return with the reason."""
    _require(meeting, S.held)
    reviewed = DecisionReviewed(decision_id=meeting.decision_id, meeting_id=meeting.id,
                                community_id=meeting.community_id, street_id=meeting.street_id,
                                approved=verdict.approve, reason=verdict.reason)
    if verdict.approve and not verdict.vote_required and meeting.topic_kind == "convention":
        raise InvalidInput("a residents' convention is voted on",
                           {"vote_required": "a convention needs its vote"})
    if not verdict.approve:
        return Decision(changes={"state": S.returned.value, "review_reason": verdict.reason},
                        events=[reviewed])
    if verdict.vote_required:
        return Decision(changes={"state": S.reviewed.value, "review_reason": verdict.reason},
                        events=[reviewed])
    return Decision(changes={"state": S.approved.value, "review_reason": verdict.reason,
                             **supervised(meeting)},
                    events=[reviewed, *approval(meeting)])


def open_vote(meeting: Any, policy: dict[str, Any], eligible: int, closes_ts: float,
              secret: bool, salt: str | None, now: float) -> Decision:
    _require(meeting, S.reviewed)
    if closes_ts <= now:
        raise InvalidInput("the vote must close in the future", {"closes_ts": "in the past"})
    opened = VoteOpened(meeting_id=meeting.id, decision_id=meeting.decision_id,
                        topic_id=meeting.topic_id, community_id=meeting.community_id,
                        eligible=eligible, closes_ts=closes_ts,
                        election=bool(policy.get("candidates")))
    policy = {**policy, "round": 1, "window_seconds": closes_ts - now, "elected_before": []}
    return Decision(changes={"state": S.voting.value, "vote_policy": policy,
                             "eligible": eligible, "vote_closes_ts": closes_ts,
                             "secret": secret, "ballot_salt": salt}, events=[opened])


def close_vote(meeting: Any, result: Result, now: float = 0.0,
               salt: str | None = None) -> Decision | None:
    """The window closed: the tally published, the decision approved or rejected; or, an
    election tied at its last seat, a new round among the tied for the seats left (same
    electorate and window length; `salt` the secret round's new one)."""
    if meeting.state != S.voting.value:
        return None  # another replica closed it
    policy = dict(meeting.vote_policy or {})
    this_round = int(policy.get("round", 1))
    elected = list(policy.get("elected_before") or []) + result.elected
    tally = {"eligible": result.eligible, "turnout": result.turnout,
             "quorum_met": result.quorum_met, "counts": result.counts, "elected": elected,
             "runoff": result.runoff, "round": this_round}
    if result.runoff and this_round < MAX_ROUNDS:
        window = float(policy.get("window_seconds") or 86400.0)
        closes_ts = now + window
        seats = int(policy.get("seats") or 0) - len(result.elected)
        reopened = VoteOpened(meeting_id=meeting.id, decision_id=meeting.decision_id,
                              topic_id=meeting.topic_id, community_id=meeting.community_id,
                              eligible=meeting.eligible, closes_ts=closes_ts, election=True,
                              round=this_round + 1)
        return Decision(changes={
            "vote_policy": {**policy, "candidates": result.runoff, "seats": seats,
                            "round": this_round + 1, "elected_before": elected},
            "vote_closes_ts": closes_ts, "ballot_salt": salt,
            "result": {**tally, "passed": False}}, events=[reopened])
    passed = result.passed or bool(elected)
    closed = VoteClosed(meeting_id=meeting.id, decision_id=meeting.decision_id,
                        community_id=meeting.community_id, eligible=result.eligible,
                        turnout=result.turnout, quorum_met=result.quorum_met,
                        passed=passed, counts=result.counts, elected=elected)
    events: list = [closed]
    if passed:
        events.extend(approval(meeting))
    return Decision(changes={**(supervised(meeting) if passed else {}),
        "state": (S.approved if passed else S.rejected).value, "vote_closes_ts": None,
        "ballot_salt": None, "result": {**tally, "passed": passed}}, events=events)
