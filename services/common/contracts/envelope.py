"""The event envelope every service publishes and consumes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.caller import Caller, Role

_PAYLOADS: dict[str, type[BaseModel]] = {}


def event_payload(event_type: str, version: int = 1):
    """Class decorator: register `cls` as the payload model of `event_type`."""

    def register(cls: type[BaseModel]) -> type[BaseModel]:
        key = f"{event_type}@{version}"
        if key in _PAYLOADS and _PAYLOADS[key] is not cls:
            raise ValueError(f"event type {key} registered twice")
        _PAYLOADS[key] = cls
        cls.event_type = event_type  # type: ignore[attr-defined]
        cls.event_version = version  # type: ignore[attr-defined]
        return cls

    return register


def payload_model(event_type: str, version: int) -> type[BaseModel] | None:
    return _PAYLOADS.get(f"{event_type}@{version}")


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    role: Role

    @classmethod
    def of(cls, caller: Caller) -> Actor:
        return cls(user_id=caller.user_id, role=caller.role)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class EnvelopeFields(BaseModel):
    """The envelope's own fields, whatever its payload: what a dead letter is checked against."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    type: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    version: int = 1
    occurred_at: datetime = Field(default_factory=_utcnow)
    community_id: str | None = None
    correlation_id: str | None = None
    actor: Actor
    payload: dict[str, Any]


class Envelope(EnvelopeFields):
    """id, type, version, occurred_at, community_id, correlation_id, actor, payload."""

    @model_validator(mode="after")
    def _payload_matches_contract(self) -> Envelope:
        model = payload_model(self.type, self.version)
        if model is None:
            raise ValueError(f"unknown event type {self.type}@{self.version}")
        model.model_validate(self.payload)
        return self

    def parsed(self) -> Any:
        """The payload as its contract model."""
        model = payload_model(self.type, self.version)
        assert model is not None  # checked at validation
        return model.model_validate(self.payload)

    def to_message(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def new_event(payload: BaseModel, caller: Caller, community_id: str | None) -> Envelope:
    """Build the envelope for `payload` (a registered payload model) on behalf of `caller`."""
    return Envelope(
        type=payload.event_type,  # type: ignore[attr-defined]
        version=payload.event_version,  # type: ignore[attr-defined]
        community_id=community_id,
        correlation_id=caller.request_id,
        actor=Actor.of(caller),
        payload=payload.model_dump(mode="json"),
    )
