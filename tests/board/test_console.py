"""The board's console page: for anyone (no sign-in), Chinese first, English on the switch."""

from __future__ import annotations

import re

from services.gateway import tokens


def test_the_console_board_renders_for_anyone_in_chinese_and_in_english(bplatform):
    client = bplatform.client
    client.cookies.clear()
    community_id = bplatform.community_id("A")
    got = client.get(f"/console/five-micro/{community_id}")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/html")
    sections = re.findall(r'data-section="([a-z_]+)" data-available="yes"', got.text)
    assert sections == ["micro_wish", "micro_volunteering", "micro_governance",
                        "micro_points", "micro_renewal"]
    for zh in ("微心愿", "微志愿", "微治理", "微积分", "微更新", "Community A", "待认领心愿"):
        assert zh in got.text, zh
    assert 'data-figure="open_wishes"' in got.text and 'href="/console/wishes"' in got.text
    assert 'name="viewport"' in got.text  # the phone layout (375 px: console.css)
    english = client.get(f"/console/five-micro/{community_id}?lang=en")
    assert english.status_code == 200 and "Micro-wishes" in english.text
    assert "Open wishes" in english.text and 'lang="en"' in english.text
    client.cookies.clear()


def test_an_unknown_community_is_the_404_page_and_a_member_is_sent_to_their_own(bplatform):
    client = bplatform.client
    client.cookies.clear()
    missing = client.get("/console/five-micro/c-no-such-place")
    assert missing.status_code == 404 and 'id="error-page"' in missing.text
    anonymous = client.get("/console/five-micro", follow_redirects=False)
    assert anonymous.status_code == 303 and "/console/login" in anonymous.headers["location"]
    community = bplatform.tenancy().communities["A"]
    token = tokens.issue({"id": "u-board-console", "role": "resident",
                          "district_id": bplatform.tenancy().district["id"],
                          "street_id": community["street_id"], "community_id": community["id"]},
                         bplatform.settings.jwt_secret, 600)
    client.cookies.update({"linli_access": token})
    try:
        own = client.get("/console/five-micro", follow_redirects=False)
        assert own.status_code == 303
        assert own.headers["location"] == f"/console/five-micro/{community['id']}"
        shown = client.get(own.headers["location"])
        assert shown.status_code == 200 and 'href="/console/five-micro"' in shown.text  # nav
    finally:
        client.cookies.clear()
