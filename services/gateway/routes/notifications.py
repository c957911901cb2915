"""Notifications (消息): the caller's own inbox, its unread count, marking read, and which
channel for which kind. Every route is about the signed-in caller alone (`/me/...`): no
path names another person, community or unit, and the service answers someone else's
notification as a missing one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.common.contracts.notify import (
    NotificationOut,
    NotificationPage,
    PreferencesIn,
    PreferencesOut,
    UnreadCount,
)
from services.common.paging import DEFAULT_PAGE, MAX_PAGE
from services.gateway.deps import CallerDep, PathId, RpcDep, caller_args

router = APIRouter(tags=["notifications"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=512)]


def _call(rpc: RpcDep, method: str, caller: CallerDep, *args: object) -> object:
    return rpc.call("notify", method, caller_args(caller), *args)


@router.get("/me/notifications", response_model=NotificationPage)
def list_notifications(caller: CallerDep, rpc: RpcDep, unread: bool = False,
                       limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> object:
    """The caller's notifications and their community's, unit's or grid's, newest first."""
    return _call(rpc, "list_notifications", caller,
                 {"unread": unread, "limit": limit, "cursor": cursor})


@router.get("/me/notifications/unread-count", response_model=UnreadCount)
def unread_count(caller: CallerDep, rpc: RpcDep) -> object:
    """How many are unread (kept by the writes, not counted)."""
    return _call(rpc, "unread_count", caller)


@router.post("/me/notifications/read-all", response_model=UnreadCount)
def mark_all_read(caller: CallerDep, rpc: RpcDep) -> object:
    """Everything in the caller's inbox up to now is read."""
    return _call(rpc, "mark_all_read", caller)


@router.post("/me/notifications/{notification_id}/read", response_model=NotificationOut)
def mark_read(notification_id: PathId, caller: CallerDep, rpc: RpcDep) -> object:
    """One notification read (one that is not the caller's: 404)."""
    return _call(rpc, "mark_read", caller, notification_id)


@router.get("/me/notification-preferences", response_model=PreferencesOut)
def get_preferences(caller: CallerDep, rpc: RpcDep) -> object:
    """Per kind, the channels: in_app always, and webhook / sms / wechat as chosen."""
    return _call(rpc, "get_preferences", caller)


@router.put("/me/notification-preferences", response_model=PreferencesOut)
def set_preferences(body: PreferencesIn, caller: CallerDep, rpc: RpcDep) -> object:
    """Replace the caller's choices (kinds not named: in_app only)."""
    return _call(rpc, "set_preferences", caller, body.model_dump(mode="json"))
