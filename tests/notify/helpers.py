"""Shared steps for the notify tests: a real local HTTP receiver (the district's gateway)
and events published on the real broker as their producers would."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from nameko.standalone.events import event_dispatcher
from pydantic import BaseModel

from services.common.caller import Caller, Role
from services.common.contracts.envelope import new_event

SECRET = "receiver-secret-0123456789"


class Receiver:
    """http.server on a free port, in a thread. It answers 500 to the first `fail_first`
    requests for each person, then 200; it keeps every request with its signature check."""

    def __init__(self, fail_first: int = 2) -> None:
        self.fail_first, self.requests, self.lock = fail_first, [], threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                good = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                with receiver.lock:
                    user = json.loads(body).get("user_id")
                    fail = sum(r["payload"].get("user_id") == user
                               for r in receiver.requests) < receiver.fail_first
                    receiver.requests.append({
                        "delivery": self.headers["X-Linli-Delivery"],
                        "signed": hmac.compare_digest(good, self.headers["X-Linli-Signature"]),
                        "payload": json.loads(body), "answered": 500 if fail else 200})
                self.send_response(500 if fail else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def accepted(self, user_id: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["answered"] == 200
                    and (user_id is None or r["payload"]["user_id"] == user_id)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def publish(platform: Any, source: str, payload: BaseModel, community_id: str,
            actor: str = "someone") -> str:
    """Publish `payload` as `source` would (a real envelope on the real broker); its id."""
    who = Caller(user_id=actor, role=Role.community_admin, district_id="d")
    envelope = new_event(payload, who, community_id)
    event_dispatcher(platform.config)(source, envelope.type, envelope.to_message())
    return envelope.id


def tag() -> str:
    return uuid.uuid4().hex[:8]


def now() -> datetime:
    return datetime.now(UTC)
