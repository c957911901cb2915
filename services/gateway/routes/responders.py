"""Responders: units with their responsibilities, and members reporting in (双报到)."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict

from services.common.caller import ADMIN_ROLES, Role
from services.common.contracts.dispatch import ResponderIn, ResponderOut
from services.gateway.deps import (
    CallerDep,
    PathId,
    QueryCode,
    QueryId,
    RpcDep,
    caller_args,
    require,
)

router = APIRouter(prefix="/responders", tags=["responders"])


class DutyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on_duty: bool


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ResponderOut)
def register_responder(body: ResponderIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """Register a unit or, pending their consent, a person (admins); report in (双报到)."""
    require(caller, *ADMIN_ROLES, Role.volunteer, Role.operator, Role.grid_worker)
    return rpc.call("dispatch", "register_responder", caller_args(caller), body.model_dump())


@router.get("", response_model=list[ResponderOut])
def list_responders(caller: CallerDep, rpc: RpcDep, community_id: QueryId = None,
                    category: QueryCode = None) -> list[dict]:
    """A community's responders, optionally by category."""
    require(caller, *ADMIN_ROLES, Role.grid_worker)
    return rpc.call("dispatch", "list_responders", caller_args(caller), community_id, category)


@router.post("/{responder_id}/accept", response_model=ResponderOut)
def accept_responder(responder_id: str, caller: CallerDep, rpc: RpcDep) -> dict:
    """The person an admin registered consents to serve (双报到)."""
    require(caller, Role.volunteer, Role.operator, Role.grid_worker)
    return rpc.call("dispatch", "accept_responder", caller_args(caller), responder_id)


@router.put("/{responder_id}/duty", response_model=ResponderOut)
def set_on_duty(responder_id: PathId, body: DutyIn, caller: CallerDep, rpc: RpcDep) -> dict:
    """On or off duty."""
    return rpc.call("dispatch", "set_on_duty", caller_args(caller), responder_id, body.on_duty)
