"""The audit log (审计日志): every admin act, newest first, as JSON pages or one CSV.

Read-only: there is no route that edits or removes an entry. The district admin reads the
district's entries; a street or community admin their own scope's (the service checks the
scope again). The CSV is the district admin's: it streams every page of the query.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from services.common.caller import ADMIN_ROLES, Role
from services.common.contracts.audit import ACTION_PATTERN, CODE_PATTERN, AuditPage
from services.common.paging import DEFAULT_PAGE, MAX_PAGE
from services.gateway.deps import CallerDep, QueryId, RpcDep, caller_args, require

router = APIRouter(tags=["audit"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=512)]
Action = Annotated[str | None, Query(pattern=ACTION_PATTERN)]
RecordType = Annotated[str | None, Query(pattern=CODE_PATTERN)]
Ts = Annotated[float | None, Query(ge=0, le=7258118400)]
COLUMNS = ("id", "at", "ts", "service", "actor_id", "actor_role", "district_id", "street_id",
           "community_id", "action", "record_type", "record_id", "before", "after",
           "request_id")
EXPORT_PAGES = 2000  # 200k rows at most in one export
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _query(community_id: str | None, actor_id: str | None, action: str | None,
           record_type: str | None, since: float | None, until: float | None,
           limit: int, cursor: str | None) -> dict[str, Any]:
    asked = {"community_id": community_id, "actor_id": actor_id, "action": action,
             "record_type": record_type, "since": since, "until": until, "limit": limit,
             "cursor": cursor}
    return {k: v for k, v in asked.items() if v is not None}


@router.get("/audit/entries", response_model=AuditPage)
def list_entries(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                 actor_id: QueryId = None, action: Action = None,
                 record_type: RecordType = None, since: Ts = None, until: Ts = None,
                 limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> dict:
    """Admin acts, newest first; follow `next_cursor` (a page may be short when filters
    skip entries: the cursor still leads on)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("audit", "list_entries", caller_args(caller), _query(
        community_id, actor_id, action, record_type, since, until, limit, cursor))


def _cell(value: Any) -> str:
    text = "" if value is None else (json.dumps(value, ensure_ascii=False, sort_keys=True)
                                     if isinstance(value, dict) else str(value))
    return "'" + text if text.startswith(_FORMULA) else text  # no formulas in a spreadsheet


def _row(entry: dict) -> list[str]:
    at = datetime.fromtimestamp(entry["ts"], UTC).isoformat()
    return [_cell(at if c == "at" else entry.get(c)) for c in COLUMNS]


def _lines(first: dict, more: Any) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    page = first
    for _ in range(EXPORT_PAGES):
        writer.writerows(_row(e) for e in page["items"])
        yield flush()
        if not page.get("next_cursor"):
            return
        page = more(page["next_cursor"])


@router.get("/audit/entries.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}}})
def export_entries(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                   actor_id: QueryId = None, action: Action = None,
                   record_type: RecordType = None, since: Ts = None,
                   until: Ts = None) -> StreamingResponse:
    """Every entry of the query as CSV with a header row (the district admin only)."""
    require(caller, Role.district_admin)
    asked = _query(community_id, actor_id, action, record_type, since, until, MAX_PAGE, None)
    args = caller_args(caller)
    first = rpc.call("audit", "export_entries", args, asked)  # refusals before any byte

    def more(cursor: str) -> dict:
        return rpc.call("audit", "export_entries", args, asked | {"cursor": cursor})

    return StreamingResponse(_lines(first, more), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition":
                                      'attachment; filename="audit.csv"'})
