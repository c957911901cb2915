"""The local store: the one at LINLI_MONGO_URI if it answers, else an embedded nx-27017."""

from __future__ import annotations

import os
from pathlib import Path

from deploy.errors import StackError
from deploy.processes import ProcessSpec
from deploy.settings import StackSettings, host_port, is_loopback
from services.common.testing.embedded_store import nx_command, reachable

NAME = "store"
MONGO_PORT = 27017


def store_process(settings: StackSettings, name: str = NAME,
                  uri: str | None = None) -> ProcessSpec | None:
    """The embedded store to start for `uri` (default LINLI_MONGO_URI), or None when
    something already answers there. A store of its own (`store-intake`) keeps its data in
    `<stack dir>/<name>`."""
    uri = uri or settings.mongo_uri
    if reachable(uri, timeout_ms=1000):
        return None
    host, port = host_port(uri, MONGO_PORT)
    if not is_loopback(host):
        raise StackError(
            f"{name}: nothing answers at {host}:{port} (LINLI_MONGO_URI), and only a store on "
            "this machine can be started here. Start that MongoDB, or unset LINLI_MONGO_URI "
            "to use the embedded store.")
    data = Path(settings.stack_dir).resolve() / name
    data.mkdir(parents=True, exist_ok=True)
    try:
        # It logs to stdout as well, which already goes to .stack/logs/store.log.
        argv = nx_command(data, host, port, data / "nx.pid", os.devnull)
    except RuntimeError as exc:
        raise StackError(f"{name}: {exc}") from exc
    uri = f"mongodb://{host}:{port}"
    hint = (f"This is the embedded store for LINLI_MONGO_URI={uri}: free port {port}, "
            "or point LINLI_MONGO_URI at a running MongoDB.")
    return ProcessSpec(name, argv, port, healthy=lambda: reachable(uri), hint=hint)


def answers(settings: StackSettings, uri: str | None = None) -> bool:
    return reachable(uri or settings.mongo_uri, timeout_ms=1000)


def port(settings: StackSettings, uri: str | None = None) -> int:
    return host_port(uri or settings.mongo_uri, MONGO_PORT)[1]
