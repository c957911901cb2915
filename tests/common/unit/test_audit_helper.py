"""services/common/audit.py: the one helper that turns an admin act into its
`audit.recorded` event, with the changed fields only and no secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from services.common import audit
from services.common.aggregate import Decision
from services.common.caller import Caller, Role
from services.common.contracts.audit import AuditRecorded
from services.common.contracts.envelope import Envelope, new_event
from services.common.logs import REQUEST_ID

ADMIN = Caller(user_id="u-admin", role=Role.community_admin, district_id="d-1",
               street_id="s-1", community_id="c-1", request_id="req-1")


@dataclass
class Doc:
    pk: str = "o-1"
    state: str = "open"
    note: str = "kept"
    community_id: str = "c-1"
    district_id: str = "d-1"
    street_id: str | None = None


def test_an_admins_act_is_one_event_with_who_what_and_the_request_id():
    [event] = audit.recorded(ADMIN, "order.close", "order", "o-1",
                             before={"state": "open"}, after={"state": "closed"},
                             community_id="c-1", at=100.0)
    assert isinstance(event, AuditRecorded)
    assert (event.actor_id, event.actor_role, event.action) == ("u-admin", Role.community_admin,
                                                                "order.close")
    assert (event.record_type, event.record_id, event.ts) == ("order", "o-1", 100.0)
    assert (event.district_id, event.street_id, event.community_id) == ("d-1", "s-1", "c-1")
    assert event.request_id == "req-1"
    envelope = Envelope.model_validate(new_event(event, ADMIN, "c-1").to_message())
    assert envelope.type == "audit.recorded" and envelope.parsed() == event


def test_only_admins_acts_are_recorded():
    for role in (Role.resident, Role.grid_worker, Role.merchant, Role.system, Role.ops):
        caller = Caller(user_id="u", role=role, district_id="d-1", community_id="c-1")
        assert audit.recorded(caller, "order.close", "order", "o-1") == []
    for role in (Role.street_admin, Role.district_admin):
        caller = Caller(user_id="u", role=role, district_id="d-1")
        assert len(audit.recorded(caller, "order.close", "order", "o-1")) == 1


def test_before_and_after_hold_the_changed_fields_only():
    old, new = audit.diff({"state": "open", "note": "same", "n": 1},
                          {"state": "closed", "note": "same", "n": 2})
    assert old == {"state": "open", "n": 1} and new == {"state": "closed", "n": 2}
    assert audit.diff({}, {"name": "x"}) == ({}, {"name": "x"})  # a creation
    assert audit.diff({"a": None}, {"a": None}) == ({}, {})


def test_secrets_never_appear_and_values_stay_small():
    old, new = audit.diff({"password_hash": "h1", "reset_hash": None},
                          {"password_hash": "h2", "reset_hash": "h3"})
    assert old == {"password_hash": "<redacted>", "reset_hash": "<redacted>"}
    assert new == {"password_hash": "<redacted>", "reset_hash": "<redacted>"}
    _, new = audit.diff({}, {"text": "x" * 5000, "ids": list(range(100)),
                             "at": datetime(2026, 1, 2, tzinfo=UTC), "role": Role.resident,
                             "nested": {"api_key": "k", "deep": {"a": 1}}})
    assert len(new["text"]) == audit.MAX_TEXT and len(new["ids"]) == audit.MAX_ITEMS
    assert new["at"] == "2026-01-02T00:00:00+00:00" and new["role"] == "resident"
    assert new["nested"]["api_key"] == "<redacted>" and isinstance(new["nested"]["deep"], str)
    AuditRecorded(actor_id="u", actor_role=Role.district_admin, district_id="d", action="a.b",
                  record_type="a", record_id="1", after=new, ts=1.0)  # within the contract


def test_attach_adds_the_event_to_the_decision_with_the_fields_it_changes():
    decision = Decision(changes={"state": "closed", "note": "kept"}, events=())
    attached = audit.attach(decision, ADMIN, Doc(), "order.close", "order")
    assert attached.changes == decision.changes
    [event] = attached.events
    assert event.before == {"state": "open"} and event.after == {"state": "closed"}
    assert (event.record_id, event.community_id) == ("o-1", "c-1")
    assert audit.attach(None, ADMIN, Doc(), "order.close", "order") is None
    resident = ADMIN.model_copy(update={"role": Role.resident})
    assert audit.attach(decision, resident, Doc(), "order.close", "order") is decision


def test_audited_wraps_a_decide_of_the_commit_frame():
    decide = audit.audited(lambda doc, now: Decision(changes={"state": "closed"}), ADMIN,
                           "order.close", "order")
    [event] = decide(Doc(), datetime.now(UTC)).events
    assert event.action == "order.close" and event.after == {"state": "closed"}


def test_the_request_id_comes_from_the_worker_when_the_caller_has_none():
    caller = ADMIN.model_copy(update={"request_id": None})
    token = REQUEST_ID.set("req-from-log")
    try:
        [event] = audit.recorded(caller, "order.close", "order", "o-1")
    finally:
        REQUEST_ID.reset(token)
    assert event.request_id == "req-from-log"
    [event] = audit.recorded(caller, "order.close", "order", "o-1")
    assert event.request_id is None
