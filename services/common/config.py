"""One settings object per process, read from the environment at start-up.

Defaults suit the local stack; production must set LINLI_ENV=production, which
refuses every development default that is a credential (`development_secrets`): the
JWT secret, a broker URI signing in as guest, a store URI without a user.

A value may also come from a file: with LINLI_SECRETS_DIR set (Docker secrets are
/run/secrets), a file named after the variable (`linli_jwt_secret`, `linli_amqp_uri`,
`linli_mongo_uri`) holds it; an environment variable wins over the file.
"""

from __future__ import annotations

import os
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "linli-dev-secret-change-me-0123456789abcdef"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINLI_", extra="ignore",
                                      secrets_dir=os.environ.get("LINLI_SECRETS_DIR") or None)

    env: str = "development"
    amqp_uri: str = "pyamqp://guest:guest@127.0.0.1:5672/"
    rabbit_api_uri: str = "http://guest:guest@127.0.0.1:15672"
    mongo_uri: str = "mongodb://127.0.0.1:27017"
    # Each service's database is "<prefix><service>"; tests give every test its own prefix.
    db_prefix: str = "linli_"
    metrics_port: int = 0  # 0: no /metrics listener (in-process test containers)
    # The relay wakes on its own process's commits; the poll only catches what another
    # process or a crash left behind.
    outbox_poll_seconds: float = 5.0
    # Set to false only to prove the relay: the write is then published by the poll alone.
    outbox_wake_on_write: bool = True
    # The outbox poll folds counter differences a crashed writer left older than this
    # (services/common/counters.py); younger ones are their writer's to fold.
    counter_grace_seconds: float = 60.0
    scheduler_poll_seconds: float = 1.0
    rpc_timeout_seconds: float = 10.0
    # Inbox records (applied event ids) are kept this long, then swept in bounded batches.
    inbox_retention_days: float = 14.0
    inbox_sweep_seconds: float = 600.0
    inbox_sweep_batch: int = 500
    inbox_sweep_batches: int = 10

    jwt_secret: str = DEV_JWT_SECRET
    # The access token's lifetime: short, a phone keeps signed in with its refresh token
    # (docs/accounts.md); also how long a gateway remembers a revocation.
    jwt_ttl_seconds: int = 900
    # Each gateway process reads identity's recent revocations this often (a revoked token
    # is refused everywhere within this plus the RPC timeout).
    revocation_poll_seconds: float = 15.0
    login_attempts_per_minute: int = 10  # per client and username, counted by identity
    # identity's argon2 parameters (services/identity/domain.py); the cheap set is refused
    # outside development
    password_hashing: Literal["rfc9106_low_memory", "cheapest_for_tests"] = "rfc9106_low_memory"
    # Open311 media_url fetches: total deadline, and hosts let through the private-address
    # rule (tests serve images on 127.0.0.1; production leaves it empty).
    media_fetch_seconds: float = 3.0
    media_fetch_allow_hosts: list[str] = []
    rpc_pool_size: int = 8
    # The public 五微 board (docs/five-micro.md): each service's figures within this, the
    # assembled page kept this long (at most this many communities), over its own proxies.
    board_timeout_seconds: float = 1.5
    board_cache_seconds: float = 5.0
    board_cache_size: int = 1000
    board_rpc_pool_size: int = 16
    max_photo_bytes: int = 5 * 1024 * 1024

    # Notify's outbound channel: the district's own SMS / WeChat gateway (docs/notify.md).
    # Empty URL: in-app only. The secret signs each body (HMAC-SHA256); from
    # LINLI_SECRETS_DIR/linli_notify_webhook_secret like the other secrets.
    notify_webhook_url: str = ""
    notify_webhook_secret: str = ""
    notify_webhook_timeout_seconds: float = 3.0
    notify_retry_base_seconds: float = 5.0  # back-off: base * 2^(attempt-1), capped
    notify_retry_max_seconds: float = 3600.0
    notify_max_attempts: int = 10
    notify_report_in_lead_seconds: float = 1800.0  # "deadline near": this long before it

    # "json": every log line one JSON object (for a log shipper); "plain" text otherwise.
    # deploy/nameko.yml reads the same LINLI_LOG_FORMAT for the services.
    log_format: Literal["plain", "json"] = "plain"

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> Settings:
        if self.env == "production":
            problems = development_secrets(self)
            if problems:
                raise ValueError("refusing to start in production with development secrets: "
                                 + "; ".join(problems))
        if self.password_hashing == "cheapest_for_tests" and self.env != "development":
            raise ValueError("LINLI_PASSWORD_HASHING=cheapest_for_tests is for the test suite "
                             f"(LINLI_ENV=development), not {self.env}")
        if len(self.jwt_secret) < 32:
            raise ValueError("LINLI_JWT_SECRET must be at least 32 characters")
        return self

    def db_name(self, service: str) -> str:
        return f"{self.db_prefix}{service}"


def development_secrets(settings: Settings) -> list[str]:
    """What in `settings` is a development credential, one line per variable (empty: none).

    Checked on every start in production; a secret added to Settings later belongs here."""
    problems = []
    if settings.jwt_secret == DEV_JWT_SECRET:
        problems.append("LINLI_JWT_SECRET is the development secret")
    amqp = urlsplit(settings.amqp_uri)
    if (amqp.username or "guest") == "guest" or (amqp.password or "guest") == "guest":
        problems.append("LINLI_AMQP_URI signs in as guest (give RabbitMQ its own user)")
    if settings.notify_webhook_url and len(settings.notify_webhook_secret) < 16:
        problems.append("LINLI_NOTIFY_WEBHOOK_SECRET is missing or short (the webhook is unsigned)")
    if not urlsplit(settings.mongo_uri).username:
        problems.append("LINLI_MONGO_URI has no user (run MongoDB with authentication)")
    return problems


def settings_from_nameko(config: dict[str, Any]) -> Settings:
    """Settings for a nameko container: environment, overridden by the container's LINLI map.

    `nameko run` processes get everything from the environment; in-process test
    containers pass a per-test database prefix through their config.
    """
    return Settings(**config.get("LINLI", {}))
