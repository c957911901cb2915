"""Liveness, readiness (broker and store reachability) and Prometheus metrics."""

from __future__ import annotations

from typing import Literal

from amqp.exceptions import AMQPError
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from kombu import Connection
from kombu.exceptions import KombuError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from pymongo.errors import PyMongoError

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "degraded"]
    checks: dict[str, Literal["up", "down"]]
    down: list[str]  # the names of the checks that are down, for a person reading it


@router.get("/healthz", response_model=Health)
def healthz() -> dict:
    """The gateway process is alive."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "broker or store down"}})
def readyz(request: Request) -> JSONResponse:
    """Broker and store reachability; 503 when either is down."""
    settings = request.app.state.settings
    checks = {"broker": _broker_up(settings.amqp_uri),
              "store": _store_up(request.app.state.mongo)}
    down = [name for name, state in checks.items() if state == "down"]
    return JSONResponse(status_code=503 if down else 200,
                        content={"status": "degraded" if down else "ready", "checks": checks,
                                 "down": down})


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _broker_up(amqp_uri: str) -> str:
    try:
        with Connection(amqp_uri, connect_timeout=1.0) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=1.0)
        return "up"
    except (OSError, KombuError, AMQPError):
        # AMQPError: the broker answers but refuses us (vhost gone, user revoked): down
        # for this gateway all the same, not a 500 of the probe.
        return "down"


def _store_up(client) -> str:
    try:
        client.admin.command("ping")
        return "up"
    except PyMongoError:
        return "down"
