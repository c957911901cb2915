"""A resident votes in an election from the console: the round's candidates as boxes, at
most the seats; a second ballot of the household is refused on the page."""

from __future__ import annotations

import time

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from selenium.webdriver.common.by import By

from tests.console.deliberation import roster_topic_hall
from tests.console.pages import Console

pytestmark = pytest.mark.e2e


def _voting_election(amqp_uri: str, tenancy) -> str:  # noqa: ANN001
    """A held meeting on a listed topic, reviewed, with an election open to the resident's
    household: candidates zhang-san, li-si and wang-wu (account ids) for two seats."""
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=20) as rpc:
        made = roster_topic_hall(rpc, tenancy, "选举楼长", "3 号楼选举两位楼长")
        admin, people, topic, hall = made.admin, made.people, made.topic, made.hall
        start = (time.time() // 1800 + 7 * 48) * 1800
        meeting = rpc.deliberation.schedule_meeting(admin, {
            "topic_id": topic["id"], "hall_id": hall["id"], "starts_ts": start,
            "ends_ts": start + 3600, "participants": people})
        speakers = [p["account_id"] for p in people]
        rpc.deliberation.record_minutes(admin, meeting["id"], {
            "steps": [{"kind": k, "speaker_id": speakers[i % 4], "text": f"{k} 发言"}
                      for i, k in enumerate(["motion", "second", "opposition", "debate",
                                             "expert_opinion"])],
            "plan": {"summary": "选出两位楼长", "leader": "王书记", "department_id": "dept-x",
                     "cooperating": [], "deadline_ts": time.time() + 14 * 86400,
                     "tasks": [{"category": "other", "summary": "公示结果"}]}})
        rpc.deliberation.review_decision(admin, meeting["id"], {
            "approve": True, "vote_required": True})
        rpc.deliberation.open_vote(admin, meeting["id"], {
            "electorate": [{"household_id": f"hh-{meeting['id']}",
                            "members": [tenancy.users["resident"]["id"]]}],
            "closes_ts": time.time() + 3600, "candidates": ["zhang-san", "li-si", "wang-wu"],
            "seats": 2, "quorum": "none",
            "candidate_names": {"zhang-san": "张三", "li-si": "李四"}})
    return meeting["id"]


def test_a_resident_picks_candidates_and_votes_once(browser, base_url, tenancy, stack_env):
    meeting_id = _voting_election(stack_env["LINLI_AMQP_URI"], tenancy)
    console = Console(browser, base_url, tenancy.password)
    console.sign_in(tenancy.users["resident"]["username"])
    console.open("/topics")
    form = f"#election-{meeting_id}"
    assert console.until(lambda: bool(console.all(form)), timeout=15), console.text()
    assert [b.get_attribute("value") for b in console.all(f"{form} input[type=checkbox]")] == [
        "zhang-san", "li-si", "wang-wu"]
    assert "2" in console.text(f"{form} p")
    labels = console.text(form)  # the names the admin gave; the id where none was given
    assert "张三" in labels and "李四" in labels and "wang-wu" in labels, labels
    assert "zhang-san" not in labels
    for name in ("zhang-san", "li-si", "wang-wu"):  # three for two seats: the contract refuses it
        console.browser.find_element(By.CSS_SELECTOR, f"{form} input[value='{name}']").click()
    console.click(f"cast-{meeting_id}")
    assert console.all("#form-errors, [data-error-for=candidates]"), console.text()
    for name in ("zhang-san", "wang-wu"):
        console.browser.find_element(By.CSS_SELECTOR, f"{form} input[value='{name}']").click()
    console.click(f"cast-{meeting_id}")
    assert console.path().endswith("?voted=1"), console.text()
    console.browser.find_element(By.CSS_SELECTOR, f"{form} input[value='li-si']").click()
    console.click(f"cast-{meeting_id}")  # the household has voted: refused on the page
    assert console.all("#form-errors, [data-error-for=meeting_id]"), console.text()
