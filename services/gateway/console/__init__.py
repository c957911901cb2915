"""The web console (邻里工作台): server-rendered pages under /console (docs/console.md)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.gateway.console import (
    admin,
    board,
    community,
    core,
    deliberating,
    meetings,
    merchant,
    resident,
    session,
    volunteering,
    work,
)

ROUTERS = [session.router, resident.router, work.router, merchant.router, admin.router,
           volunteering.router, deliberating.router, meetings.router,
           community.router,
           board.router]


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount(f"{core.PREFIX}/static", StaticFiles(directory=core.HERE / "static"),
              name="console-static")
