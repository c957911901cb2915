"""Replies built from documents once: the contract's fields, read off the model."""

from __future__ import annotations

from typing import Any

from services.common.contracts.deliberation import EscalationOut, HallOut, MeetingOut, TopicOut
from services.deliberation.closing import policy_of
from services.deliberation.models import Hall, Meeting, Topic


def hall(doc: Hall) -> HallOut:
    return HallOut(**{name: getattr(doc, name) for name in HallOut.model_fields})


def topic(doc: Topic) -> TopicOut:
    fields = {name: getattr(doc, name) for name in TopicOut.model_fields
              if name not in ("supporters", "renewal")}
    return TopicOut(**fields, supporters=len(doc.supporters or []),
                    renewal=dict(doc.renewal) if doc.renewal else None)


def meeting(doc: Meeting) -> MeetingOut:
    """A meeting and its decision; a vote's result only once it is closed (the tally),
    never a ballot."""
    policy = policy_of(doc)
    names = (doc.vote_policy or {}).get("names") or {}
    return MeetingOut(
        id=doc.id, decision_id=doc.decision_id, community_id=doc.community_id,
        topic_id=doc.topic_id, hall_id=doc.hall_id, starts_ts=doc.starts_ts, ends_ts=doc.ends_ts,
        state=doc.state, participants=[
            {"account_id": p["account_id"], "party": p["party"],
             "attended": bool(p.get("attended"))} for p in doc.participants or []],
        steps=list(doc.steps or []), plan=dict(doc.plan) if doc.plan else None,
        review_reason=doc.review_reason or "", vote_closes_ts=doc.vote_closes_ts,
        secret=doc.secret, result=dict(doc.result) if doc.result else None,
        vote_round=policy.round, candidates=list(policy.candidates), seats=policy.seats,
        candidate_names={c: names[c] for c in policy.candidates if c in names},
        tasks_total=doc.tasks_total or 0, tasks_done=len(doc.tasks_done or []),
        executed_ts=doc.executed_ts, overdue=bool(doc.overdue))


def escalation(doc: Meeting) -> EscalationOut:
    return EscalationOut(decision_id=doc.decision_id, meeting_id=doc.id, topic_id=doc.topic_id,
                         community_id=doc.community_id, summary=doc.plan["summary"],
                         deadline_ts=doc.plan["deadline_ts"], escalated_ts=doc.escalated_ts,
                         district_escalated_ts=doc.district_escalated_ts,
                         tasks_done=len(doc.tasks_done or []), tasks_total=doc.tasks_total)



def page(docs: list[Any], nxt: str | None, view: Any) -> dict[str, Any]:
    return {"items": [view(d) for d in docs], "next_cursor": nxt}
