"""The community admin's side of deliberation (议事): schedule a meeting for a listed topic in
a hall with its "4 + N" parties, record who attended and the minutes (the debate's steps
and the implementation plan), review the plan (审议), and open the vote (决议).

A form's lists are typed one item per line (a phone's keyboard has no table editor):
participants "account party", steps "kind speaker text", tasks "category summary",
households "household member member...", candidates "account name". A line that does not
parse is refused under its field, with what was typed kept; the contract's own reasons
come back the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from starlette.datastructures import FormData

from services.common.contracts.deliberation import (
    AttendanceIn,
    MeetingIn,
    MinutesIn,
    Party,
    ReviewIn,
    StepKind,
    VoteIn,
)
from services.common.errors import DomainError, InvalidInput
from services.gateway.console.core import (
    FORM_ONLY,
    PREFIX,
    Ctx,
    Form,
    attempt,
    console_router,
    context,
)
from services.gateway.routes import deliberation

router = console_router()
ADMIN = deliberation.ADMIN
MAX_LINES = 200


def _typed(form: FormData) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k not in FORM_ONLY}


def _rows(form: FormData, name: str, least: int, shape: str) -> list[list[str]]:
    """The field's lines as words, each line at least `least` words (`shape` says which)."""
    text = str(form.get(name, ""))
    rows = [line.split() for line in text.splitlines() if line.strip()]
    if len(rows) > MAX_LINES:
        raise InvalidInput("too many lines", {name: f"at most {MAX_LINES} lines"})
    for n, words in enumerate(rows, start=1):
        if len(words) < least:
            raise InvalidInput(f"line {n}: {shape}", {name: f"line {n}: {shape}"})
    return rows


def _instant(form: FormData, name: str) -> float:
    """A datetime-local input (UTC, as the console shows times) as epoch seconds."""
    raw = str(form.get(name, "")).strip()
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise InvalidInput("not a date and time", {name: "a date and a time"}) from None


def _pairs(form: FormData, name: str, second: str) -> list[tuple[str, str]]:
    """Lines of "id rest-of-line" (the rest may hold spaces)."""
    return [(words[0], " ".join(words[1:]))
            for words in _rows(form, name, 2, f"an id and a {second}")]


def _meeting_values(ctx: Ctx, meeting_id: str) -> dict[str, Any]:
    meeting = deliberation.get_meeting(meeting_id, ctx.caller, ctx.rpc)
    try:
        topic = deliberation.get_topic(meeting["topic_id"], ctx.caller, ctx.rpc)
    except DomainError:
        topic = None
    return {"title": ctx.t("meeting.title"), "meeting": meeting, "topic": topic,
            "parties": [p.value for p in Party], "step_kinds": [k.value for k in StepKind]}


def schedule_values(ctx: Ctx) -> dict[str, Any]:
    """What the topics page's scheduling form offers an admin: listed topics and halls."""
    listed = deliberation.topic_list(ctx.caller, ctx.rpc, proposals=False, limit=50,
                                     cursor=None)
    halls = deliberation.list_halls(ctx.caller, ctx.rpc, community_id=None, limit=50,
                                    cursor=None)
    return {"topic_options": [(t["id"], t["title"]) for t in listed["items"]],
            "hall_options": [(h["id"], h["name"]) for h in halls["items"]],
            "parties": [p.value for p in Party]}


@router.post("/meetings")
def schedule(request: Request, form: Form) -> Response:
    from services.gateway.console.deliberating import values as topics_values

    ctx = context(request)
    ctx.allow(*ADMIN)

    def go() -> dict:
        body = {"topic_id": str(form.get("topic_id", "")), "hall_id": str(form.get("hall_id", "")),
                "starts_ts": _instant(form, "starts"), "ends_ts": _instant(form, "ends"),
                "participants": [{"account_id": a, "party": p}
                                 for a, p in _pairs(form, "participants", "party")]}
        return deliberation.schedule_meeting(MeetingIn.model_validate(body), ctx.caller, ctx.rpc)

    made, refused = attempt(ctx, go, "topics.html", _typed(form),
                            page=lambda: topics_values(ctx))
    return refused or ctx.redirect(f"{PREFIX}/meetings/{made['id']}")


@router.get("/meetings/{meeting_id}")
def meeting(request: Request, meeting_id: str) -> Response:
    ctx = context(request)
    ctx.allow(*ADMIN)
    return ctx.render("meeting.html", **_meeting_values(ctx, meeting_id))


def _act(request: Request, meeting_id: str, form: FormData,
         go: Callable[[Ctx], dict]) -> Response:
    """An admin's step on the meeting: done, back to its page; refused, the page again with
    the reasons under the fields and what was typed."""
    ctx = context(request)
    ctx.allow(*ADMIN)
    _, refused = attempt(ctx, lambda: go(ctx), "meeting.html", _typed(form),
                         page=lambda: _meeting_values(ctx, meeting_id))
    return refused or ctx.redirect(f"{PREFIX}/meetings/{meeting_id}")


@router.post("/meetings/{meeting_id}/attendance")
def attendance(request: Request, meeting_id: str, form: Form) -> Response:
    present = [str(a) for a in form.getlist("attended")]
    return _act(request, meeting_id, form, lambda ctx: deliberation.record_attendance(
        meeting_id, AttendanceIn.model_validate({"account_ids": present}), ctx.caller, ctx.rpc))


@router.post("/meetings/{meeting_id}/minutes")
def minutes(request: Request, meeting_id: str, form: Form) -> Response:
    def go(ctx: Ctx) -> dict:
        steps = [{"kind": w[0], "speaker_id": w[1], "text": " ".join(w[2:])}
                 for w in _rows(form, "steps", 3, "kind speaker text")]
        plan = {"summary": str(form.get("summary", "")).strip(),
                "leader": str(form.get("leader", "")).strip(),
                "deadline_ts": _instant(form, "deadline"),
                "tasks": [{"category": c, "summary": s} for c, s in _pairs(form, "tasks",
                                                                          "summary")]}
        if str(form.get("department_id", "")).strip():
            plan["department_id"] = str(form.get("department_id")).strip()
        return deliberation.record_minutes(meeting_id, MinutesIn.model_validate(
            {"steps": steps, "plan": plan}), ctx.caller, ctx.rpc)

    return _act(request, meeting_id, form, go)


@router.post("/meetings/{meeting_id}/review")
def review(request: Request, meeting_id: str, form: Form) -> Response:
    body = {"approve": form.get("decision") == "approve",
            "reason": str(form.get("reason", "")).strip(),
            "vote_required": form.get("vote_required") == "on"}
    return _act(request, meeting_id, form, lambda ctx: deliberation.review_decision(
        meeting_id, ReviewIn.model_validate(body), ctx.caller, ctx.rpc))


@router.post("/meetings/{meeting_id}/vote")
def open_vote(request: Request, meeting_id: str, form: Form) -> Response:
    def go(ctx: Ctx) -> dict:
        electorate = [{"household_id": w[0], "members": w[1:]}
                      for w in _rows(form, "electorate", 2, "household member...")]
        candidates = _pairs(form, "candidates", "name")
        body: dict[str, Any] = {
            "electorate": electorate, "quorum": str(form.get("quorum", "two_thirds")),
            "secret": form.get("secret") == "on", "closes_ts": _instant(form, "closes")}
        if candidates:
            body |= {"candidates": [c for c, _ in candidates],
                     "candidate_names": dict(candidates),
                     "seats": str(form.get("seats", "")).strip() or 0}
        return deliberation.open_vote(meeting_id, VoteIn.model_validate(body), ctx.caller,
                                      ctx.rpc)

    return _act(request, meeting_id, form, go)
