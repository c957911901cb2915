"""The one error shape: {"error": {"code", "message", "fields"}} for every 4xx/5xx."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from nameko.exceptions import RemoteError
from starlette.exceptions import HTTPException

from services.common.errors import DomainError, field_errors

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str,
                   fields: dict[str, str] | None = None, headers: dict | None = None
                   ) -> JSONResponse:
    return JSONResponse(status_code=status, headers=headers,
                        content={"error": {"code": code, "message": message,
                                           "fields": fields or {}}})


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        fields = {k: str(v) for k, v in exc.fields.items()}
        return error_response(exc.status, exc.code, exc.message, fields)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = field_errors(exc.errors())
        return error_response(422, "invalid_input",
                              "invalid input: " + ", ".join(sorted(fields)), fields)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated",
                403: "forbidden"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail),
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(RemoteError)
    async def remote_error(request: Request, exc: RemoteError) -> JSONResponse:
        log.error("unexpected remote error %s: %s", exc.exc_type, exc.value)
        return error_response(502, "upstream_error", "a service failed; the request id "
                              f"{request.state.request_id} identifies it in the logs")
