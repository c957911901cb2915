"""The gateway: the platform's only public HTTP surface (FastAPI app factory)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pymongo import MongoClient

from services.common import logs
from services.common.config import Settings
from services.gateway import console, errors, idempotency, middleware
from services.gateway.board import Board
from services.gateway.revocations import Revocations
from services.gateway.routes import ROUTERS
from services.gateway.rpc import RpcPool


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.rpc = RpcPool(settings.amqp_uri, settings.rpc_pool_size,
                                settings.rpc_timeout_seconds)
        app.state.mongo = MongoClient(settings.mongo_uri, serverSelectionTimeoutMS=2000,
                                      tz_aware=True)
        app.state.idempotency = app.state.mongo[settings.db_name("gateway")]["idempotency"]
        idempotency.ensure_indexes(app.state.idempotency)
        app.state.revocations = Revocations(
            lambda cursor: app.state.rpc.call("identity", "revocations", cursor),
            settings.revocation_poll_seconds, settings.jwt_ttl_seconds + 60)
        app.state.revocations.start()
        app.state.board = Board(settings, app.url_path_for)  # the public 五微 board's calls
        try:
            yield
        finally:
            app.state.board.close()
            app.state.revocations.stop()
            app.state.rpc.close()
            app.state.mongo.close()

    _configure_logging(settings.log_format)
    app = FastAPI(title="Linli 邻里", version="0.1.0", lifespan=lifespan,
                  description="Community governance for a city district: 接诉即办, 吹哨报到, "
                              "议事协商, points, evaluation.")
    errors.install(app)
    idempotency.install(app)
    app.add_middleware(middleware.BodyLimit)  # outside idempotency, which reads the body
    middleware.install(app)  # outermost: every response, replays included, gets a request id
    for router in ROUTERS:
        app.include_router(router)
    console.install(app)  # the web console's pages under /console (docs/console.md)
    return app


def _configure_logging(log_format: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(middleware.RequestIdFilter())
    handler.setFormatter(logs.formatter(log_format))
    root = logging.getLogger("services")
    if not root.handlers:
        root.addHandler(handler)
        root.setLevel(logging.INFO)
