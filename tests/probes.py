"""An event probe: a nameko service that keeps every event it hears, as an outside consumer
would see them (the service packages' tests start one beside the services they test)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from nameko.events import BROADCAST, event_handler


def _recorder(probe: type, source: str, event_type: str) -> Callable:
    @event_handler(source, event_type, handler_type=BROADCAST, reliable_delivery=False)
    def record(self, body: dict) -> None:  # noqa: ANN001
        probe.seen.append(body)

    record.__name__ = f"on_{source}_{event_type.replace('.', '_')}"
    return record


def event_probe(name: str, watched: Iterable[tuple[str, str]], doc: str) -> type:
    """A service class named `name` whose `seen` list gets every envelope of the watched
    (source service, event type) pairs, in the order they arrive."""
    probe = type(name.title().replace("_", ""), (), {"name": name, "seen": [], "__doc__": doc})
    for source, event_type in watched:
        setattr(probe, f"on_{source}_{event_type.replace('.', '_')}",
                _recorder(probe, source, event_type))
    return probe


def payloads(probe: type, kind: str, **match: Any) -> list[dict]:
    """The payloads of the `kind` events the probe heard whose fields equal `match`."""
    return [e["payload"] for e in probe.seen if e["type"] == kind
            and all(e["payload"].get(k) == v for k, v in match.items())]
