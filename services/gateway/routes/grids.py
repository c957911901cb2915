"""The grid registry (网格): tree, import/export (CSV, GeoJSON), resolution, deadlines policy."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, UploadFile
from fastapi.responses import PlainTextResponse

from services.common.caller import ADMIN_ROLES, STAFF_ROLES
from services.common.contracts.dispatch import (
    GridImportReport,
    GridOut,
    GridPlace,
    PolicyIn,
    PolicyOut,
)
from services.common.contracts.workflow import Location
from services.common.errors import InvalidInput
from services.gateway import gridfile
from services.gateway.deps import CallerDep, RequiredQueryId, RpcDep, caller_args, require

router = APIRouter(prefix="/grids", tags=["grids"])
MAX_IMPORT_BYTES = 10 * 1024 * 1024
STAFF = tuple(STAFF_ROLES)


@router.get("", response_model=list[GridOut])
def list_grids(community_id: RequiredQueryId, caller: CallerDep, rpc: RpcDep) -> list[dict]:
    """The community's grids, compounds and buildings, parents first."""
    require(caller, *STAFF)
    return rpc.call("dispatch", "list_grids", caller_args(caller), community_id)


@router.post("/import", response_model=GridImportReport)
def import_grids(community_id: RequiredQueryId, file: UploadFile, caller: CallerDep, rpc: RpcDep,
                 dry_run: bool = True,
                 format: Literal["csv", "geojson"] | None = None) -> dict:
    """Import a CSV or GeoJSON grid file: every bad row is reported; any bad row imports nothing."""
    require(caller, *ADMIN_ROLES)
    raw = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidInput("file too large", {"file": f"at most {MAX_IMPORT_BYTES} bytes"})
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("not UTF-8 text", {"file": "encoding"}) from exc
    fmt = format or ("geojson" if (file.filename or "").lower().endswith(
        (".geojson", ".json")) else "csv")
    gridfile.check(content, fmt)
    return rpc.call("dispatch", "import_grid_file", caller_args(caller), community_id,
                    content, fmt, dry_run)


@router.get("/export", response_class=PlainTextResponse)
def export_grids(community_id: RequiredQueryId, caller: CallerDep, rpc: RpcDep,
                 format: Literal["csv", "geojson"] = "csv") -> PlainTextResponse:
    """The grid tree as CSV or GeoJSON."""
    require(caller, *STAFF)
    text = rpc.call("dispatch", "export_grids", caller_args(caller), community_id, format)
    media = "text/csv" if format == "csv" else "application/geo+json"
    return PlainTextResponse(text, media_type=media)


@router.post("/resolve", response_model=GridPlace)
def resolve_grid(community_id: RequiredQueryId, body: Location, caller: CallerDep,
                 rpc: RpcDep) -> dict:
    """The grid a point or address falls in, and whether it is inside the community."""
    require(caller, *STAFF)
    return rpc.call("dispatch", "resolve_grid", caller_args(caller), community_id,
                    body.model_dump())


@router.get("/policy", response_model=PolicyOut)
def get_policy(community_id: RequiredQueryId, caller: CallerDep, rpc: RpcDep) -> dict:
    """Deadlines by urgency, the claim cap and the report-in minutes of a community."""
    require(caller, *STAFF)
    return rpc.call("dispatch", "get_policy", caller_args(caller), community_id)


@router.put("/policy", response_model=PolicyOut)
def set_policy(community_id: RequiredQueryId, body: PolicyIn, caller: CallerDep,
               rpc: RpcDep) -> dict:
    """Change a community's deadlines (community admin and above)."""
    require(caller, *ADMIN_ROLES)
    return rpc.call("dispatch", "set_policy", caller_args(caller), community_id,
                    body.model_dump(mode="json"))
