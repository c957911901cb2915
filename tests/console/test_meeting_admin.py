"""The community admin runs a meeting from the console: scheduled for a listed topic in a
hall with its "4" parties, attendance and minutes recorded (a debate that does not open
with a motion is refused under its field), the plan approved, and the vote opened."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from selenium.webdriver.common.by import By

from tests.console.deliberation import roster_topic_hall
from tests.console.pages import Console

pytestmark = pytest.mark.e2e
def _roster_topic_hall(amqp_uri: str, tenancy) -> tuple[list[str], dict, dict]:  # noqa: ANN001
    """The participants as the form takes them ("account party" lines), a topic, a hall."""
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=20) as rpc:
        made = roster_topic_hall(rpc, tenancy, "楼道堆物清理", "5 号楼楼道堆物")
    return ([f"{p['account_id']} {p['party']}" for p in made.people], made.topic, made.hall)


def _local(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M")


def _set(console: Console, name: str, value: str) -> None:
    console.browser.execute_script(
        "document.getElementsByName(arguments[0])[0].value = arguments[1]", name, value)


def _state(console: Console) -> str:
    return console.browser.find_element(By.ID, "meeting").get_attribute("data-state")


def test_the_admin_schedules_records_reviews_and_opens_the_vote(browser, base_url, tenancy,
                                                                stack_env):
    lines, topic, hall = _roster_topic_hall(stack_env["LINLI_AMQP_URI"], tenancy)
    console = Console(browser, base_url, tenancy.password)
    console.sign_in(tenancy.users["community_admin"]["username"])
    console.open("/topics")
    start = (time.time() // 1800 + 9 * 48) * 1800
    _set(console, "topic_id", topic["id"])
    _set(console, "hall_id", hall["id"])
    _set(console, "starts", _local(start))
    _set(console, "ends", _local(start + 3600))
    console.fill("participants", "\n".join(lines))
    console.click("schedule")
    assert console.until(lambda: bool(console.all("#meeting")), reload=False, timeout=15), \
        console.text()
    assert _state(console) == "scheduled" and topic["title"] in console.text("#meeting")

    speakers = [line.split()[0] for line in lines]
    console.browser.find_element(
        By.CSS_SELECTOR, f"#attendance-form input[value='{speakers[0]}']").click()
    console.click("record-attendance")
    assert "出席" in console.text("#participants"), console.text()

    console.fill("steps", f"debate {speakers[1]} 先讨论")  # no motion first: refused
    console.fill("summary", "一周内清理 5 号楼楼道")
    console.fill("leader", "王书记")
    _set(console, "deadline", _local(time.time() + 14 * 86400))
    console.fill("tasks", "other 清理楼道堆物")
    console.click("record-minutes")
    assert console.all("[data-error-for=steps], #form-errors"), console.text()
    assert console.browser.find_element(By.NAME, "leader").get_attribute("value") == "王书记"
    console.fill("steps", f"motion {speakers[0]} 提议清理\ndebate {speakers[1]} 同意")
    _set(console, "deadline", _local(time.time() + 14 * 86400))
    console.click("record-minutes")
    assert console.until(lambda: _state(console) == "held", reload=False, timeout=10), \
        console.text()
    assert "一周内清理" in console.text("#plan")

    console.click("approve")
    assert console.until(lambda: _state(console) == "reviewed", reload=False, timeout=10)
    console.fill("electorate", f"hh-m1 {tenancy.users['resident']['id']}")
    _set(console, "quorum", "none")
    _set(console, "closes", _local(time.time() + 3 * 3600))
    console.click("open-vote")
    assert console.until(lambda: _state(console) == "voting", reload=False, timeout=10), \
        console.text()
