"""Points' pure rules: caps, codes, masks, the timer's transitions, maker/checker."""

from __future__ import annotations

import pytest

from services.common.contracts.points import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AccountKind,
    RedemptionState,
)
from services.common.errors import Conflict
from services.points import domain
from services.points.ledger import account_id, kind_of, posting_id, rank_key


def test_a_grant_is_what_the_daily_and_weekly_caps_leave():
    caps = domain.Caps(daily=20, weekly=30)
    assert domain.grant(5, caps, used_day=0, used_week=0) == 5
    assert domain.grant(5, caps, used_day=18, used_week=18) == 2
    assert domain.grant(5, caps, used_day=0, used_week=28) == 2
    assert domain.grant(5, caps, used_day=20, used_week=20) == 0
    assert domain.grant(5, caps, used_day=25, used_week=25) == 0  # never negative
    assert domain.grant(500, domain.Caps(0, 0), 10**6, 10**6) == 500  # no caps


def test_a_code_is_short_and_typeable():
    codes = {domain.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01ILO") & set(CODE_ALPHABET)


def test_names_are_masked_as_the_resident_chose():
    assert domain.masked("王芳", "full", 7) == "王芳"
    assert domain.masked("王芳", "initial", 7) == "王*"
    assert domain.masked("王芳", "anonymous", 7) == "居民0007"
    assert domain.masked(None, "full", 12) == "居民0012"


def test_the_timer_expires_issued_codes_and_fails_stalled_requests_only_when_due():
    issued, pending = RedemptionState.issued.value, RedemptionState.pending.value
    assert domain.due_transition(issued, 0, 100, 99) is None
    assert domain.due_transition(issued, 0, 100, 100) is RedemptionState.expired
    assert domain.due_transition(pending, 0, None, domain.RECOVER_SECONDS - 1) is None
    assert domain.due_transition(pending, 0, None, domain.RECOVER_SECONDS) is \
        RedemptionState.failed
    assert domain.due_transition("confirmed", 0, 100, 200) is None  # settling only


def test_only_an_issued_unexpired_code_is_confirmable():
    domain.confirmable("issued", 100, 99)
    with pytest.raises(Conflict):
        domain.confirmable("issued", 100, 100)
    with pytest.raises(Conflict):
        domain.confirmable("confirmed", 100, 1)


def test_awards_above_the_threshold_need_a_checker():
    assert not domain.needs_checker(100, 100)
    assert domain.needs_checker(101, 100)


def test_ids_and_keys_are_stable_and_ordered():
    assert posting_id("lock:rd-1") == posting_id("lock:rd-1") != posting_id("lock:rd-2")
    assert domain.keyed_id("rd", "u", "k") == domain.keyed_id("rd", "u", "k")
    acct = account_id("c1", AccountKind.resident, "u1")
    assert acct == "acct:c1:resident:u1" and kind_of(acct) == "resident"
    assert rank_key("c1", 50, "a") < rank_key("c1", 5, "b")  # more earned ranks first
    assert domain.earned_points(10, 2.5) == 25 and domain.earned_points(10, 0.05) == 0


def test_the_oldest_points_expire_first_and_never_more_than_the_active_balance():
    earned = {2024: 50, 2025: 30, 2026: 40}
    assert domain.expiring(earned, 2024, spent=20, expired=0, active=100) == 30
    assert domain.expiring(earned, 2024, spent=60, expired=0, active=60) == 0  # spent them
    assert domain.expiring(earned, 2025, spent=20, expired=30, active=70) == 30
    assert domain.expiring(earned, 2025, spent=0, expired=0, active=10) == 10  # locked wait
