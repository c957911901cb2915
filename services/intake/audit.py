"""The audit trail of identity reveals: each time the district learns who filed an issue."""

from __future__ import annotations

import mongoengine as me

from services.common import audit as trail
from services.common.aggregate import Decision, change
from services.common.caller import Caller, Role
from services.common.contracts.intake import ReporterIdentity, RevealIn
from services.common.errors import Forbidden
from services.common.store import Aggregate, Instant
from services.intake.models import ALIAS, Issue, new_id, utcnow


class RevealAudit(Aggregate):
    """One reveal: who asked, why, when, for which issue (append-only); written with its
    `audit.recorded` event for the district's audit log (the outbox, as any aggregate)."""

    meta = {"db_alias": ALIAS, "collection": "reveal_audit"}
    id = me.StringField(primary_key=True, default=lambda: new_id("ra"))
    issue_id = me.StringField(required=True)
    actor_id = me.StringField(required=True)
    actor_role = me.StringField(required=True)
    reason = me.StringField(required=True)
    request_id = me.StringField()
    at = Instant(required=True, default=utcnow)


def reveal(caller: Caller, issue: Issue, data: RevealIn) -> ReporterIdentity:
    """The reporter's accounts and contact, for the issue's district admin only; the audit
    record is written before anything is shown."""
    if caller.role is not Role.district_admin or caller.district_id != issue.district_id:
        raise Forbidden("only the district reveals who filed an issue",
                        {"role": "needs district_admin of the issue's district"})
    record = RevealAudit(issue_id=issue.id, actor_id=caller.user_id,
                         actor_role=caller.role.value, reason=data.reason.strip(),
                         request_id=caller.request_id)
    change(lambda: record, lambda r, now: Decision(events=trail.recorded(
        caller, "issue.reveal_reporter", "issue", issue.id, after={"reason": r.reason},
        community_id=issue.community_id, street_id=issue.street_id,
        district_id=issue.district_id, at=now.timestamp())), caller)
    return ReporterIdentity(issue_id=issue.id, anonymous=bool(issue.anonymous),
                            reporter_id=issue.reporter_id, submitted_by=issue.submitted_by,
                            contact=issue.contact or None, audit_id=record.id)

