"""The inbox through the gateway: a community-wide notification is one document that each
resident reads on their own; a resident of B never sees A's; keyset pages, unread filter,
counts kept by the writes."""

from __future__ import annotations

import time

from deploy.waits import wait_until
from services.common.contracts.deliberation import VoteOpened
from services.common.contracts.intake import IssueMerged, IssueReceived, IssueStatusChanged
from services.common.contracts.points import RedemptionConfirmed
from services.notify.models import Notification
from tests.dispatch.helpers import token_headers
from tests.notify.helpers import publish, tag
from tests.platform import error_of


def _items(client, headers, **query) -> list[dict]:  # noqa: ANN001, ANN003
    answer = client.get("/me/notifications", headers=headers, params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _count(client, headers) -> int:  # noqa: ANN001
    return client.get("/me/notifications/unread-count", headers=headers).json()["unread"]


def test_a_vote_in_a_reaches_a_residents_once_each_and_never_b_residents(nplatform):
    client = nplatform.client
    a = nplatform.community_id("A")
    meeting = f"m-{tag()}"
    publish(nplatform, "deliberation", VoteOpened(
        meeting_id=meeting, decision_id=f"d-{meeting}", topic_id="t-1", community_id=a,
        eligible=300, closes_ts=time.time() + 86400), a)
    ann, bob = (token_headers(nplatform, "resident", f"u-a-{tag()}", "A") for _ in range(2))
    carol = token_headers(nplatform, "resident", f"u-b-{tag()}", "B")
    admin_b = token_headers(nplatform, "community_admin", f"u-adm-{tag()}", "B")

    def ann_sees() -> list[dict]:
        return [n for n in _items(client, ann) if n["ref"] == f"meeting:{meeting}"]

    assert wait_until(ann_sees, timeout=10, every=0.1)
    [vote] = ann_sees()
    assert (vote["audience"], vote["read"], vote["community_id"]) == ("community", False, a)
    # one document for the whole community, however many residents read it
    assert Notification.objects(ref=f"meeting:{meeting}").count() == 1
    assert [n["id"] for n in _items(client, bob) if n["ref"] == vote["ref"]] == [vote["id"]]
    assert not [n for n in _items(client, carol) if n["ref"] == vote["ref"]]
    assert not [n for n in _items(client, admin_b) if n["ref"] == vote["ref"]]

    # B cannot read A's (the 404 of a missing one), A's residents each read their own copy
    refused = client.post(f"/me/notifications/{vote['id']}/read", headers=carol)
    assert refused.status_code == 404
    assert error_of(refused)["fields"] == {"notification_id": "unknown"}
    before = _count(client, ann)
    read = client.post(f"/me/notifications/{vote['id']}/read", headers=ann)
    assert read.status_code == 200 and read.json()["read"] is True
    assert _count(client, ann) == before - 1
    assert not [n for n in _items(client, ann, unread=True) if n["id"] == vote["id"]]
    assert [n["read"] for n in _items(client, bob) if n["id"] == vote["id"]] == [False]
    again = client.post(f"/me/notifications/{vote['id']}/read", headers=ann)
    assert again.status_code == 200 and _count(client, ann) == before - 1  # idempotent


def test_pages_are_newest_first_without_repeats_and_read_all_clears_the_count(nplatform):
    client, a = nplatform.client, nplatform.community_id("A")
    user = f"u-p-{tag()}"
    headers = token_headers(nplatform, "department", user, "A", department_id=f"dep-{tag()}")
    refs = []
    for i in range(5):
        rid = f"rd-{tag()}"
        refs.append(f"redemption:{rid}")
        publish(nplatform, "points", RedemptionConfirmed(
            redemption_id=rid, community_id=a, merchant_id="shop-A", resident_id=user,
            price=i + 1, latency_seconds=1.0), a)
    assert wait_until(lambda: _count(client, headers) == 5, timeout=10, every=0.1)
    seen, cursor = [], None
    for _ in range(4):
        answer = client.get("/me/notifications", headers=headers,
                            params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        seen += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and len({n["id"] for n in seen}) == 5
    stamps = [n["created_at"] for n in seen]
    assert stamps == sorted(stamps, reverse=True)
    # another person's cursor is refused, not followed
    other = token_headers(nplatform, "resident", f"u-o-{tag()}", "A")
    first = client.get("/me/notifications", headers=headers, params={"limit": 2}).json()
    stolen = client.get("/me/notifications", headers=other,
                        params={"cursor": first["next_cursor"]})
    assert stolen.status_code == 422 and "cursor" in error_of(stolen)["fields"]

    client.post(f"/me/notifications/{seen[2]['id']}/read", headers=headers)
    assert _count(client, headers) == 4
    assert len(_items(client, headers, unread=True)) == 4
    cleared = client.post("/me/notifications/read-all", headers=headers)
    assert cleared.status_code == 200 and cleared.json() == {"unread": 0}
    assert _items(client, headers, unread=True) == []
    assert all(n["read"] for n in _items(client, headers))
    publish(nplatform, "points", RedemptionConfirmed(
        redemption_id=f"rd-{tag()}", community_id=a, merchant_id="shop-A", resident_id=user,
        price=1, latency_seconds=1.0), a)
    assert wait_until(lambda: _count(client, headers) == 1, timeout=10, every=0.1)
    assert len(_items(client, headers, unread=True)) == 1


def test_the_read_model_tells_merged_reporters_when_the_event_names_nobody(nplatform):
    """Events from before intake carried `notify`: the followers kept from issue.received
    and issue.merged are told all the same."""
    client, a = nplatform.client, nplatform.community_id("A")
    original, duplicate = f"i-{tag()}", f"i-{tag()}"
    first, second = f"u-r1-{tag()}", f"u-r2-{tag()}"
    where = {"lat": 39.9, "lng": 116.4}
    # the merge arrives before the duplicate's own issue.received: either order works
    publish(nplatform, "intake", IssueReceived(issue_id=original, community_id=a,
                                               category="x", channel="app",
                                               reporter_id=first, location=where), a)
    publish(nplatform, "intake", IssueMerged(issue_id=duplicate, original_id=original,
                                             community_id=a, supporters=2), a)
    publish(nplatform, "intake", IssueReceived(issue_id=duplicate, community_id=a,
                                               category="x", channel="app",
                                               reporter_id=second, location=where), a)
    from services.notify.followers import followers

    assert wait_until(lambda: sorted(followers(original)) == sorted([first, second]),
                      timeout=10, every=0.1)
    publish(nplatform, "intake", IssueStatusChanged(
        issue_id=original, community_id=a, from_state="dispatched", to_state="resolved",
        note="", notify=[]), a)
    for user in (first, second):
        headers = token_headers(nplatform, "resident", user, "A")
        assert wait_until(lambda h=headers: [n for n in _items(client, h)
                                             if n["ref"] == f"issue:{original}"],
                          timeout=10, every=0.1)
