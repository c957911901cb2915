"""Quiet, honest worker logs.

nameko logs every exception an entrypoint raises as "error handling worker ..." at
ERROR with a full traceback (nameko/containers.py, `_run_worker`). A refusal the
service means to give (a `DomainError` below 500: 401, 403, 404, 409, 422) is not a fault:
it becomes one line without traceback, at WARNING for 401/403 (someone tried what
they may not) and INFO otherwise. A real failure keeps its traceback. Both name
the request id the caller context carries, so a log line leads to the gateway's.
"""

from __future__ import annotations

import logging
from typing import Any

from services.common.errors import DomainError

WORKER_LOGGER = "nameko.containers"
_WORKER_ERRORS = ("error handling worker", "(expected) error handling worker")


def refusal(exc: BaseException | None) -> bool:
    """An answer the service meant to give (401, 403, 404, 409, 422 ...), not a fault:
    a `DomainError` below 500 (`Unavailable`, 503, is a fault of a dependency)."""
    return isinstance(exc, DomainError) and exc.status < 500


def request_id_of(worker_ctx: Any) -> str | None:
    """The request id in the caller context (an RPC's first argument), if any."""
    args = getattr(worker_ctx, "args", None) or ()
    caller = args[0] if args else None
    return caller.get("request_id") if isinstance(caller, dict) else None


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
