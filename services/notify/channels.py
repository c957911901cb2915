"""Outbound channels behind one interface. The one implementation is a webhook that a
district points at its own SMS / WeChat gateway: the body is the notification as JSON,
signed with HMAC-SHA256 (`X-Linli-Signature: sha256=<hex>`), and `X-Linli-Delivery` names
the delivery, unique per event, person and channel, so a gateway that answered 2xx once
but whose answer was lost can drop the repeat."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from typing import Any, Protocol

from nameko.extensions import DependencyProvider

from services.common.config import Settings, settings_from_nameko
from services.common.contracts.notify import OUTBOUND


class ChannelError(Exception):
    """The channel did not take the message (retried with back-off)."""


class Channel(Protocol):
    def send(self, delivery_id: str, payload: dict[str, Any]) -> None:
        """Hand the message over, or raise ChannelError."""


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookChannel:
    def __init__(self, url: str, secret: str, timeout: float) -> None:
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, delivery_id: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Linli-Delivery": delivery_id, "X-Linli-Signature": sign(self.secret, body)})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                if not 200 <= answer.status < 300:
                    raise ChannelError(f"answered {answer.status}")
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"answered {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ChannelError(f"unreachable: {exc}") from exc


def from_settings(settings: Settings) -> dict[str, Channel]:
    """webhook, sms and wechat all go to the district's gateway (the payload names which);
    none without a URL."""
    if not settings.notify_webhook_url:
        return {}
    hook = WebhookChannel(settings.notify_webhook_url, settings.notify_webhook_secret,
                          settings.notify_webhook_timeout_seconds)
    return {c.value: hook for c in OUTBOUND}


class Channels(DependencyProvider):
    """The process's outbound channels, built once at start from the settings."""

    def __init__(self) -> None:
        self.by_name: dict[str, Channel] = {}
        self.settings: Settings | None = None

    def setup(self) -> None:
        self.settings = settings_from_nameko(self.container.config)
        self.by_name = from_settings(self.settings)

    def has(self, name: str) -> bool:
        return name in self.by_name

    def get(self, name: str) -> Channel:
        return self.by_name[name]

    def get_dependency(self, worker_ctx: Any) -> Channels:
        return self
