"""Quiet, honest worker logs.

nameko logs every exception an entrypoint raises as "error handling worker ..." at
ERROR with a full traceback (nameko/containers.py, `_run_worker`). A refusal the
service means to give (a `DomainError` below 500: 401, 403, 404, 409, 422) is not a fault:
it becomes one line without traceback, at WARNING for 401/403 (someone tried what
they may not) and INFO otherwise. A real failure keeps its traceback. Both name
the request id the caller context carries, so a log line leads to the gateway's.

Every other line a worker logs carries it too: `Instrumentation.worker_setup` puts the
request id (an RPC's caller context, or an event's correlation id) in `REQUEST_ID`, a
context variable of the worker's own greenthread, and `RequestIdFilter` on the handler
copies it into each record as `%(request_id)s` (deploy/nameko.yml). LINLI_LOG_FORMAT=json
makes each line one JSON object (python-json-logger) with `request_id` as a key.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from services.common.errors import DomainError

WORKER_LOGGER = "nameko.containers"
_WORKER_ERRORS = ("error handling worker", "(expected) error handling worker")


def refusal(exc: BaseException | None) -> bool:
    """An answer the service meant to give (401, 403, 404, 409, 422 ...), not a fault:
    a `DomainError` below 500 (`Unavailable`, 503, is a fault of a dependency)."""
    return isinstance(exc, DomainError) and exc.status < 500


# The request the current worker (or gateway request) serves; "-" outside of one.
REQUEST_ID: ContextVar[str] = ContextVar("linli_request_id", default="-")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


def request_id_of(worker_ctx: Any) -> str | None:
    """The request id in the caller context (an RPC's first argument), or the correlation
    id of the event envelope an event handler was given, if any."""
    args = getattr(worker_ctx, "args", None) or ()
    first = args[0] if args else None
    if not isinstance(first, dict):
        return None
    return first.get("request_id") or first.get("correlation_id")


class RequestIdFilter(logging.Filter):
    """Gives every record the current request id (for a handler: it sees every logger's
    records, a logger's filter only that logger's own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get()
        return True


def formatter(log_format: str = "plain") -> logging.Formatter:
    """The formatter of LINLI_LOG_FORMAT: "json" (one object a line) or plain text."""
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(JSON_FIELDS)
    return logging.Formatter(PLAIN_FORMAT)


def json_formatter() -> logging.Formatter:
    """For deploy/nameko.yml's `()` factory."""
    return formatter("json")


class WorkerErrors(logging.Filter):
    """Rewrites nameko's worker error records; every other record passes untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not (isinstance(record.msg, str) and record.msg.startswith(_WORKER_ERRORS)):
            return True
        worker_ctx = record.args[0] if isinstance(record.args, tuple) and record.args else None
        request = request_id_of(worker_ctx) or "-"
        exc = record.exc_info[1] if record.exc_info else None
        if refusal(exc):
            assert isinstance(exc, DomainError)
            level = logging.WARNING if exc.status in (401, 403) else logging.INFO
            record.levelno, record.levelname = level, logging.getLevelName(level)
            method = getattr(getattr(worker_ctx, "entrypoint", None), "method_name", "?")
            record.msg = "refused %s (%s %s): %s [request %s]"
            record.args = (method, exc.status, exc.code, exc.message, request)
            record.exc_info, record.exc_text = None, None
        else:
            record.msg = f"{record.msg} [request %s]"
            record.args = (*record.args, request) if isinstance(record.args, tuple) else (request,)
        return True


def install() -> None:
    """Add the filter to nameko's worker logger once per process (idempotent)."""
    logger = logging.getLogger(WORKER_LOGGER)
    if not any(isinstance(f, WorkerErrors) for f in logger.filters):
        logger.addFilter(WorkerErrors())
