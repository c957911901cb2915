"""The tenancy registry: district → streets → communities."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.common.caller import Role
from services.common.contracts.identity import CommunityIn, StreetIn, Unit
from services.gateway.deps import CallerDep, PathId, RpcDep, caller_args, require

router = APIRouter(prefix="/registry", tags=["registry"])


@router.get("/units", response_model=list[Unit])
def list_units(caller: CallerDep, rpc: RpcDep) -> list[dict]:
    """Streets and communities in the caller's scope."""
    return rpc.call("identity", "list_units", caller_args(caller))


@router.post("/streets", response_model=Unit, status_code=status.HTTP_201_CREATED)
def create_street(body: StreetIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Add a street (district admin)."""
    require(caller, Role.district_admin)
    return rpc.call("identity", "create_street", caller_args(caller), body.model_dump())


@router.post("/communities", response_model=Unit, status_code=status.HTTP_201_CREATED)
def create_community(body: CommunityIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Add a community (district admin, or the street's admin)."""
    require(caller, Role.district_admin, Role.street_admin)
    return rpc.call("identity", "create_community", caller_args(caller), body.model_dump())


@router.get("/communities/{community_id}", response_model=Unit)
def get_community(community_id: PathId, caller: CallerDep, rpc: RpcDep) -> dict:
    """One community in the caller's scope."""
    return rpc.call("identity", "get_community", caller_args(caller), community_id)
