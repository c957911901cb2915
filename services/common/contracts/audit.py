"""The audit service's contracts (审计日志): the one event every service emits with an
admin act, and the entries' listing (who, role, what, which record, before/after, when,
request id). Entries are append-only: no contract edits or deletes one."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.common.caller import Role
from services.common.contracts.envelope import event_payload
from services.common.contracts.types import ID_PATTERN, FreeDict
from services.common.paging import Page, PageQuery

ACTION_PATTERN = r"^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,39}$"  # "<record>.<verb>"
CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Ts = Annotated[float, Field(ge=0, le=7258118400)]  # 1970 .. 2200, epoch seconds


@event_payload("audit.recorded")
class AuditRecorded(BaseModel):
    """One admin act, emitted in the same commit as the act (services/common/audit.py)."""

    actor_id: str
    actor_role: Role
    district_id: str
    street_id: str | None = None
    community_id: str | None = None
    action: str = Field(pattern=ACTION_PATTERN)  # "user.deactivate", "issue.merge"
    record_type: str = Field(pattern=CODE_PATTERN)  # "user", "issue", "order"
    record_id: str = Field(min_length=1, max_length=200)
    before: FreeDict = Field(default_factory=dict)  # the changed fields only, as they were
    after: FreeDict = Field(default_factory=dict)  # ... and as they are now
    ts: float
    request_id: str | None = None


class AuditEntryOut(AuditRecorded):
    id: str  # the event's id: a redelivery is the same entry
    service: str  # the service that performed the act


AuditPage = Page[AuditEntryOut]


class AuditQuery(PageQuery):
    """Newest first; each filter narrows. `since` inclusive, `until` exclusive (epoch s)."""

    model_config = ConfigDict(extra="forbid")
    community_id: Id | None = None
    actor_id: Id | None = None
    action: str | None = Field(None, pattern=ACTION_PATTERN)
    record_type: str | None = Field(None, pattern=CODE_PATTERN)
    since: Ts | None = None
    until: Ts | None = None

    @field_validator("until")
    @classmethod
    def _after_since(cls, value: float | None, info: ValidationInfo) -> float | None:
        since = info.data.get("since")
        if value is not None and since is not None and value <= since:
            raise ValueError("until must be after since")
        return value
