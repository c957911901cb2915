"""Helpers for RPC entrypoints: every RPC takes the caller context first, then
plain dicts validated against contract models, and returns a contract model dumped to
plain JSON data (`@replies`).

`TimedRpcProxy` is the one way a service calls another: nameko's `RpcProxy` waits
for a reply forever (a stopped service's durable queue keeps accepting requests), so
one slow or absent service would fill the caller's workers. Every call gives up after
`LINLI_RPC_TIMEOUT_SECONDS` with `Unavailable`, and the request expires in the queue
after the same time, so a service coming back does not work through calls nobody
waits for any more.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import eventlet
from nameko.rpc import MethodProxy, ReplyListener, RpcProxy
from pydantic import BaseModel, TypeAdapter, ValidationError

from services.common.caller import Caller
from services.common.config import settings_from_nameko
from services.common.errors import InvalidInput, Unauthenticated, Unavailable, invalid_from_pydantic

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])
REPLY_ATTR = "__reply__"  # the declared reply shape, read by tests/common/test_entrypoints_typed


def replies(shape: Any) -> Callable[[F], F]:
    """Declare an entrypoint's reply: `@rpc` above, `@replies(IssueOut)` below it.

    `shape` is a contract model or a type of them (`list[UnitOut]`, `Page[OrderOut]`,
    `UserOut | None`, `str` for a text export). The entrypoint may return the model or an
    already-dumped dict; the caller gets it validated and dumped as JSON data.

    A reply that breaks its contract is a bug in the service, not bad input: the pydantic
    ValidationError is raised as it is, so the caller sees a 500 and the log a traceback.

    nameko checks a call's arguments against the class's method (`inspect.getcallargs`),
    so the wrapper carries the entrypoint's own `__signature__`: a wrong call is still
    nameko's IncorrectSignature, never a call that reaches the body.
    """
    adapter = TypeAdapter(shape)  # built once, at import

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def entrypoint(*args: Any, **kwargs: Any) -> Any:
            reply = adapter.validate_python(fn(*args, **kwargs))
            return adapter.dump_python(reply, mode="json")

        entrypoint.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
        setattr(entrypoint, REPLY_ATTR, shape)
        return entrypoint  # type: ignore[return-value]

    return decorate


def as_caller(data: dict[str, Any] | Caller) -> Caller:
    if isinstance(data, Caller):
        return data
    try:
        return Caller.model_validate(data)
    except ValidationError as exc:
        raise Unauthenticated("missing or malformed caller context") from exc


def parse(model: type[M], data: Any) -> M:
    """Validate `data` against `model`; a failure is InvalidInput naming each field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from_pydantic(exc) from exc


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


class TimedRpcProxy(RpcProxy):
    """`RpcProxy(service)` with a deadline: `TimedRpcProxy("dispatch")` in the service class.

    `timeout` (seconds) overrides the process's `rpc_timeout_seconds`.
    """

    def __init__(self, target_service: str, timeout: float | None = None, **options: Any) -> None:
        super().__init__(target_service, **options)
        self._timeout = timeout
        self.timeout = timeout or 0.0

    def setup(self) -> None:
        settings = settings_from_nameko(self.container.config)
        self.timeout = self._timeout or settings.rpc_timeout_seconds

    def get_dependency(self, worker_ctx: Any) -> TimedServiceProxy:
        return TimedServiceProxy(worker_ctx, self.target_service, self.rpc_reply_listener,
                                 self.timeout, {**self.options, "expiration": self.timeout})


class TimedServiceProxy:
    def __init__(self, worker_ctx: Any, service: str, listener: ReplyListener, timeout: float,
                 options: dict[str, Any]) -> None:
        self._args = (worker_ctx, service, listener, timeout, options)

    def __getattr__(self, method: str) -> TimedMethod:
        worker_ctx, service, listener, timeout, options = self._args
        return TimedMethod(MethodProxy(worker_ctx, service, method, listener, **options),
                           listener, timeout)


class TimedMethod:
    def __init__(self, method: MethodProxy, listener: ReplyListener, timeout: float) -> None:
        self.method, self.listener, self.timeout = method, listener, timeout

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        reply = self.method.call_async(*args, **kwargs)
        deadline = eventlet.Timeout(self.timeout)
        try:
            return reply.result()
        except eventlet.Timeout as exc:
            if exc is not deadline:  # someone else's deadline
                raise
            self._forget(reply.reply_event)
            service, name = self.method.service_name, self.method.method_name
            raise Unavailable(f"{service} did not answer {name} within {self.timeout:g} s",
                              {"service": service}) from exc
        finally:
            deadline.cancel()

    def _forget(self, event: Any) -> None:
        """Drop the reply slot nobody waits on (nameko keeps it until a reply arrives)."""
        pending = self.listener._reply_events
        for correlation_id, waiting in list(pending.items()):
            if waiting is event:
                pending.pop(correlation_id, None)


__all__ = ["InvalidInput", "TimedRpcProxy", "as_caller", "dump", "parse", "replies"]
