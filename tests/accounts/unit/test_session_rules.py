"""Refresh rotation and the gateway's revocation map, as pure rules."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.common.errors import Unauthenticated
from services.gateway.revocations import Revocations, cursor_at
from services.identity import opaque, rules


def _family(**overrides) -> SimpleNamespace:
    return SimpleNamespace(**{"revoked": False, "expires_ts": 2000.0, "generation": 3,
                              "created_ts": 100.0} | overrides)


USER = SimpleNamespace(active=True, tokens_not_before=50.0)


def test_the_current_generation_rotates_and_an_older_one_ends_the_family():
    moved = rules.rotate(_family(), USER, 3, True, 1000.0, "h")
    assert moved.changes["generation"] == 4 and moved.changes["secret_hash"] == "h"
    assert rules.rotate(_family(), USER, 2, True, 1000.0, "h").changes == {
        "revoked": True, "revoked_reason": "reused"}


@pytest.mark.parametrize(("family", "generation", "secret_ok", "reason"), [
    (_family(revoked=True), 3, True, "revoked"), (_family(expires_ts=999.0), 3, True, "expired"),
    (_family(), 3, False, "invalid"), (_family(), 4, True, "invalid")])
def test_an_ended_expired_or_forged_refresh_is_refused_without_a_write(family, generation,
                                                                       secret_ok, reason):
    with pytest.raises(Unauthenticated) as refused:
        rules.rotate(family, USER, generation, secret_ok, 1000.0, "h")
    assert refused.value.fields == {"refresh_token": reason}


def test_a_family_older_than_its_accounts_revocation_ends():
    revoked = SimpleNamespace(active=True, tokens_not_before=150.0)
    assert rules.rotate(_family(), revoked, 3, True, 1000.0, "h").changes["revoked"] is True
    gone = SimpleNamespace(active=False, tokens_not_before=0.0)
    assert rules.rotate(_family(), gone, 3, True, 1000.0, "h").changes["revoked"] is True


def test_opaque_tokens_split_and_match_only_their_secret():
    secret, digest = opaque.new_secret()
    token = opaque.join("ak-123", secret)
    assert opaque.split(token) == ("ak-123", secret)
    assert opaque.matches(digest, secret) and not opaque.matches(digest, secret[:-1] + "x")
    assert opaque.split("nodot") is None and opaque.split("a.short") is None


def test_the_map_refuses_tokens_issued_before_the_revocation_and_forgets_old_ones():
    now = [10_000.0]
    pages = [{"items": [{"user_id": "u1", "not_before": 9_990.0}], "next_cursor": "k1"},
             {"items": [], "next_cursor": "k1"}]
    asked: list[str | None] = []

    def fetch(cursor: str | None) -> dict:
        asked.append(cursor)
        return pages.pop(0) if pages else {"items": [], "next_cursor": cursor}

    revocations = Revocations(fetch, 15, horizon_seconds=960, clock=lambda: now[0])
    assert revocations.poll_once() == 1
    assert asked == [cursor_at(10_000.0 - 960), "k1"]
    assert revocations.refuses("u1", 9_989.5) and not revocations.refuses("u1", 9_990.5)
    assert not revocations.refuses("u2", 1.0)
    now[0] = 9_990.0 + 961  # every token it could refuse has expired
    revocations.poll_once()
    assert not revocations.refuses("u1", 9_989.5)
