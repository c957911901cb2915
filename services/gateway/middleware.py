"""Request id propagation and HTTP metrics."""

from __future__ import annotations

import logging
import time
import uuid
from contextvars import ContextVar

from fastapi import FastAPI, Request, Response
from prometheus_client import Counter, Histogram

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")

HTTP_REQUESTS = Counter("linli_http_requests_total", "Gateway HTTP requests",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("linli_http_request_seconds", "Gateway HTTP latency",
                         ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


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
