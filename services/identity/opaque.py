"""Opaque secrets handed out once (refresh tokens, reset tokens, app keys): "<id>.<secret>".

The id finds the stored record by `_id`; only the secret's SHA-256 is kept. The secrets are
256 random bits, so a fast hash is enough (argon2 is for passwords people choose).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """(secret, its digest)."""
    secret = secrets.token_urlsafe(32)
    return secret, digest(secret)


def join(record_id: str, secret: str) -> str:
    return f"{record_id}.{secret}"


def split(token: str) -> tuple[str, str] | None:
    """(id, secret), or None for a token of another shape."""
    record_id, dot, secret = token.rpartition(".")
    return (record_id, secret) if dot and record_id and len(secret) >= 16 else None


def matches(stored_digest: str | None, secret: str) -> bool:
    return bool(stored_digest) and hmac.compare_digest(stored_digest or "", digest(secret))
