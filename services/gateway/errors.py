"""The one error shape: {"error": {"code", "message", "fields"}} for every 4xx/5xx.

Open311 paths answer in the GeoReport v2 shape instead (a list of {code, description}
naming each parameter), so a civic app sees one shape on its API and our clients on ours.

Logging: an expected refusal (4xx) is one INFO line without a traceback, so cheap bad
requests cannot flood the log; a real failure (5xx) is logged at ERROR with its
traceback, and both carry the request id (middleware.RequestIdFilter).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from nameko.exceptions import RemoteError
from starlette.exceptions import HTTPException

from services.common.errors import DomainError, field_errors
from services.gateway import open311

log = logging.getLogger(__name__)

HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type",
              422: "invalid_input"}
_UNPARSABLE = "There was an error parsing the body"


def error_response(status: int, code: str, message: str,
                   fields: dict[str, str] | None = None, headers: dict | None = None
                   ) -> JSONResponse:
    return JSONResponse(status_code=status, headers=headers,
                        content={"error": {"code": code, "message": message,
                                           "fields": fields or {}}})


def respond(path: str, status: int, code: str, message: str,
            fields: dict[str, str] | None = None, headers: dict | None = None) -> Response:
    """The error in the shape of the API `path` belongs to, logged once without traceback."""
    level = logging.INFO if status < 500 else logging.WARNING
    log.log(level, "refused %s: %s %s %s %s", path, status, code, message, fields or "")
    if path.startswith(open311.PREFIX):
        fmt = "xml" if path.endswith(".xml") else "json"
        status = 400 if status == 422 else status  # the spec's code for a bad parameter
        return open311.render(open311.errors(status, message, fields or {}), fmt, "errors",
                              status)
    return error_response(status, code, message, fields, headers)


def validation_fields(errors: list[dict]) -> dict[str, str]:
    """Pydantic's errors as {field: reason}; a body that is not JSON is the field `body`."""
    fields = {}
    for err in errors:
        if err.get("type") == "json_invalid":
            fields["body"] = f"not valid JSON: {err.get('ctx', {}).get('error', 'decode error')}"
    rest = [e for e in errors if e.get("type") != "json_invalid"]
    return fields | field_errors(rest)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        fields = {k: str(v) for k, v in exc.fields.items()}
        return respond(request.url.path, exc.status, exc.code, exc.message, fields)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        fields = validation_fields(list(exc.errors()))
        return respond(request.url.path, 422, "invalid_input",
                       "invalid input: " + ", ".join(sorted(fields)), fields)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        status, message, fields = exc.status_code, str(exc.detail), {}
        if status == 400 and message == _UNPARSABLE:
            status, fields = 422, {"body": "not valid JSON (or nested too deeply)"}
        elif status == 400 and "exceeded maximum size" in message:
            status, fields = 413, {"form": message}
        elif status == 400 and message.startswith("Too many"):
            fields = {"form": message}
        elif status == 413:
            fields = {"body": message}
        elif status == 404:
            fields = {"path": "no such route"}
        elif status == 405:
            fields = {"method": f"{request.method} is not allowed here"}
        code = HTTP_CODES.get(status, "http_error")
        return respond(request.url.path, status, code, message, fields,
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(RemoteError)
    async def remote_error(request: Request, exc: RemoteError) -> Response:
        # The service logged its traceback; ours names the request to find it by.
        log.error("unexpected remote error %s: %s (request %s)", exc.exc_type, exc.value,
                  request.state.request_id)
        return failure(request.url.path, 502, "upstream_error", "a service failed; the "
                       f"request id {request.state.request_id} identifies it in the logs")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        rid = getattr(request.state, "request_id", "-")
        log.exception("unexpected failure on %s %s (request %s)", request.method,
                      request.url.path, rid)
        return failure(request.url.path, 500, "internal_error", "the gateway failed; the "
                       f"request id {rid} identifies it in the logs")


def failure(path: str, status: int, code: str, message: str) -> Response:
    """A real failure (already logged with its traceback), in the shape of the path's API."""
    if path.startswith(open311.PREFIX):
        fmt = "xml" if path.endswith(".xml") else "json"
        return open311.render(open311.errors(status, message, {}), fmt, "errors", status)
    return error_response(status, code, message)
