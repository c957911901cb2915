"""The inbox's rules by hand: audiences, read markers, the unread count, the back-off."""

from __future__ import annotations

import hashlib

import pytest

from services.common.caller import Caller, Role
from services.common.contracts.notify import NotificationKind, PreferencesIn
from services.common.errors import InvalidInput
from services.common.rpc import parse
from services.notify import domain
from services.notify.channels import sign


def who(role: Role, **extra: str) -> Caller:
    return Caller(user_id="u1", role=role, district_id="d", community_id="cA", **extra)


def test_a_resident_reads_their_own_inbox_and_their_communitys_nothing_else():
    assert domain.audiences_of(who(Role.resident)) == ["u:u1", "r:cA"]
    assert domain.audiences_of(who(Role.department, department_id="police")) == [
        "u:u1", "dep:cA:police"]
    assert domain.audiences_of(who(Role.grid_worker, grid_id="g1")) == ["u:u1", "g:cA:g1"]
    # staff above the community read what went up the ladder to them (care's missed visits)
    assert domain.audiences_of(Caller(user_id="x", role=Role.district_admin,
                                      district_id="d")) == ["u:x", "di:d"]
    assert domain.audiences_of(Caller(user_id="x", role=Role.street_admin, district_id="d",
                                      street_id="s")) == ["u:x", "st:d:s"]
    assert domain.level_audience("street", "d", "s") == "st:d:s"
    assert domain.level_audience("district", "d", None) == "di:d"
    assert domain.level_audience("community", "d", "s") is None
    # the same unit name in two communities is two audiences
    assert domain.target_audience("cB", "department:police") == "dep:cB:police"
    assert domain.target_audience("cB", "member:u9") == "u:u9"


def test_one_notification_per_source_event_and_audience():
    a = domain.notification_id("ev1", "u:u1")
    assert a == domain.notification_id("ev1", "u:u1")
    assert a != domain.notification_id("ev1", "u:u2") != domain.notification_id("ev2", "u:u1")


def test_reading_one_by_one_then_all_keeps_the_count_from_the_counters():
    totals = {"u:u1": 3, "r:cA": 2}
    marks: dict = {}
    assert domain.unread(marks, totals) == 5
    marks = domain.read_one(marks, "u:u1", "n1", 10.0)
    assert domain.unread(marks, totals) == 4
    assert domain.read_one(marks, "u:u1", "n1", 10.0) is None  # read twice: nothing moves
    marks = domain.read_all(marks, totals, now=100.0)
    assert domain.unread(marks, totals) == 0
    assert domain.read_one(marks, "u:u1", "n2", 50.0) is None  # under the watermark
    assert domain.unread(marks, {"u:u1": 4, "r:cA": 3}) == 2  # two new since
    assert domain.is_read(domain.mark_of(marks, "r:cA"), "n9", 100.0)
    assert not domain.is_read(domain.mark_of(marks, "r:cA"), "n9", 100.5)


def test_the_watermark_folds_over_ids_read_one_by_one_without_moving_the_count():
    mark = {"base": 0, "seen_ts": 0.0, "read": ["a", "b", "d"]}
    folded = domain.fold_read(mark, [("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)])
    assert folded == {"base": 2, "seen_ts": 2.0, "read": ["d"]}
    assert domain.unread({"x": mark}, {"x": 4}) == domain.unread({"x": folded}, {"x": 4}) == 1


def test_a_notification_within_the_instant_of_a_read_all_never_counts_below_zero():
    marks = domain.read_all({}, {"u:u1": 5}, now=1.0)
    assert domain.unread(marks, {"u:u1": 4}) == 0


def test_retries_back_off_exponentially_up_to_a_cap():
    assert [domain.backoff(n, 5.0, 60.0) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 60]


def test_preferences_name_each_channel_once_and_only_known_kinds():
    ok = parse(PreferencesIn, {"channels": {"vote_opened": ["sms", "wechat"]}})
    assert ok.channels[NotificationKind.vote_opened][0].value == "sms"
    with pytest.raises(InvalidInput):
        parse(PreferencesIn, {"channels": {"vote_opened": ["sms", "sms"]}})
    with pytest.raises(InvalidInput):
        parse(PreferencesIn, {"channels": {"gossip": ["sms"]}})
    with pytest.raises(InvalidInput):
        parse(PreferencesIn, {"channels": {"vote_opened": ["fax"]}})


def test_the_webhook_body_is_signed_with_hmac_sha256():
    import hmac

    expected = hmac.new(b"s3cret", b"{}", hashlib.sha256).hexdigest()
    assert sign("s3cret", b"{}") == f"sha256={expected}"


def test_each_kind_has_a_text():
    facts = {"summary": "x", "due": "12-01 10:00", "level": "street", "price": 10, "cycle": 1,
             "since": "12-01 09:00", "stage": "growth"}
    for kind in NotificationKind:
        if kind is not NotificationKind.issue_status:
            title, _ = domain.text(kind, **facts)
            assert title
    assert "已办结" in domain.issue_text("resolved", "")[0]
    assert domain.text(NotificationKind.organisation_stage, stage="growth")[0] == (
        "您发起的组织进入成长阶段")
    assert "a_custom_stage" in domain.text(NotificationKind.organisation_stage,
                                           stage="a_custom_stage")[0]
