"""Which channel for which kind: in_app always, the outbound ones as chosen."""

from __future__ import annotations

from services.common.contracts.notify import NotificationKind
from tests.dispatch.helpers import token_headers
from tests.notify.helpers import tag
from tests.platform import error_of


def test_preferences_start_in_app_only_and_a_put_replaces_them(nplatform):
    client = nplatform.client
    headers = token_headers(nplatform, "resident", f"u-{tag()}", "A")
    start = client.get("/me/notification-preferences", headers=headers)
    assert start.status_code == 200
    assert len(start.json()["channels"]) == len(NotificationKind)  # every kind
    assert all(v == ["in_app"] for v in start.json()["channels"].values())
    put = client.put("/me/notification-preferences", headers=headers, json={"channels": {
        "vote_opened": ["wechat", "in_app"], "issue_status": ["sms"]}})
    assert put.status_code == 200, put.text
    channels = put.json()["channels"]
    assert channels["vote_opened"] == ["in_app", "wechat"]
    assert channels["issue_status"] == ["in_app", "sms"]
    assert channels["whistled"] == ["in_app"]
    put = client.put("/me/notification-preferences", headers=headers,
                     json={"channels": {"issue_status": ["webhook"]}})
    assert put.json()["channels"]["vote_opened"] == ["in_app"]  # not named: in_app only
    # another person's preferences are their own
    other = token_headers(nplatform, "resident", f"u-{tag()}", "A")
    assert client.get("/me/notification-preferences",
                      headers=other).json()["channels"]["issue_status"] == ["in_app"]


def test_a_bad_channel_or_kind_is_a_422_naming_the_field(nplatform):
    client = nplatform.client
    headers = token_headers(nplatform, "resident", f"u-{tag()}", "A")
    bad = client.put("/me/notification-preferences", headers=headers,
                     json={"channels": {"issue_status": ["fax"]}})
    assert bad.status_code == 422
    assert any(k.startswith("channels") for k in error_of(bad)["fields"])
    unsigned = client.get("/me/notifications")
    assert unsigned.status_code == 401
