"""Request id propagation and HTTP metrics."""

from __future__ import annotations

import time
import uuid
from contextvars import ContextVar

from fastapi import FastAPI, Request, Response
from prometheus_client import Counter, Histogram
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common import logs
from services.gateway.errors import respond

# One context variable with the services' (services/common/logs.py): a line logged while
# serving a request names it, whichever module logs it.
REQUEST_ID: ContextVar[str] = logs.REQUEST_ID

HTTP_REQUESTS = Counter("linli_http_requests_total", "Gateway HTTP requests",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("linli_http_request_seconds", "Gateway HTTP latency",
                         ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))


RequestIdFilter = logs.RequestIdFilter


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_id_and_metrics(request: Request, call_next) -> Response:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = rid[:64]
        token = REQUEST_ID.set(request.state.request_id)
        began = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            REQUEST_ID.reset(token)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - began)
        response.headers["X-Request-ID"] = request.state.request_id
        return response


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")
        self.limit = limit


MAX_BODY = 1024 * 1024  # JSON and forms
MAX_UPLOAD = 12 * 1024 * 1024  # multipart: a photo or a grid file (10 MiB) with its framing


class BodyLimit:
    """Refuse a body past its limit (413 in the one shape) before anything reads it all.

    Content-Length is checked up front; a body without one is counted as it streams.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").startswith("multipart/form-data")
        limit = MAX_UPLOAD if multipart else MAX_BODY
        declared = headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)  # an HTTPException: the route's parser re-raises it
            return message

        await self.app(scope, counted, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = respond(scope["path"], 413, "too_large", "the request body is too large",
                           {"body": f"at most {limit} bytes"})
        await response(scope, receive, send)
