"""The console's must-show flow in headless Chromium: a resident files an issue and sees it on
its timeline; the admin triages it; a grid worker claims and resolves it with a photo; the
admin confirms; the resident sees the notification and rates it; a merchant confirms the
resident's redemption code; an admin opens the dashboard with its chart. The tests run in
file order and share the issue they make."""

from __future__ import annotations

import re

import httpx
import pytest
from selenium.webdriver.common.by import By

from tests.console.pages import Console, png

pytestmark = pytest.mark.e2e
made: dict[str, str] = {}


@pytest.fixture
def console(browser, base_url, tenancy) -> Console:
    return Console(browser, base_url, tenancy.password)


def test_a_resident_files_an_issue_and_sees_it_on_its_timeline(console, tenancy, tmp_path):
    console.sign_in(tenancy.users["resident"]["username"])
    assert console.path() == "/issues", console.text()
    console.click("new-issue")
    # A refused form comes back with the field's reason under the field (intake's contract).
    console.fill("location.address", "东1小区")
    console.click("submit-issue")
    assert console.all("[data-error-for=description]"), console.text()
    assert console.browser.find_element(By.NAME, "location.address").get_attribute(
        "value") == "东1小区"
    console.browser.find_element(By.CSS_SELECTOR, "#category option[value=street_lighting]")
    console.browser.execute_script(
        "document.getElementById('category').value = 'street_lighting'")
    console.fill("description", "东1小区 3 号楼门口路灯不亮")
    console.browser.find_element(By.ID, "photo").send_keys(png(tmp_path / "lamp.png"))
    console.click("submit-issue")
    assert re.fullmatch(r"/issues/[^/?]+\?filed=1", console.path()), console.path()
    made["issue"] = console.browser.find_element(By.ID, "issue").get_attribute("data-issue")
    assert "路灯不亮" in console.text("#issue")
    assert console.all("#issue img"), "the photo is shown"
    assert [e.get_attribute("data-state") for e in console.all("#timeline li")] == ["received"]


def test_a_resident_sees_no_admin_page_nor_link(console, tenancy):
    console.sign_in(tenancy.users["resident"]["username"])
    links = {a.get_attribute("href").split("/console", 1)[1] for a in console.all("nav.main a")}
    assert links == {"/issues", "/issues/new", "/points", "/notifications",
                     "/wishes", "/activities", "/topics", "/five-micro"}
    console.open("/triage")
    assert console.browser.find_element(By.ID, "error-page")
    assert "无权" in console.text("h1")


def test_the_admin_triages_and_a_grid_worker_claims_and_resolves(console, tenancy, tmp_path):
    console.sign_in(tenancy.users["community_admin"]["username"])
    assert console.path() == "/triage"
    row = f"#triage li[data-issue='{made['issue']}'] button.triage"
    console.press(console.browser.find_element(By.CSS_SELECTOR, row))
    assert not console.all(f"#triage li[data-issue='{made['issue']}']")

    console.sign_in(tenancy.users["grid_worker"]["username"])
    assert console.path() == "/orders"
    pooled = f"#orders tr[data-issue='{made['issue']}'] a"
    assert console.until(lambda: bool(console.all(pooled))), console.text()
    console.press(console.browser.find_element(By.CSS_SELECTOR, pooled))
    made["order"] = console.browser.find_element(By.ID, "order").get_attribute("data-order")
    console.click("claim")
    assert console.browser.find_element(By.ID, "order").get_attribute("data-state") == "claimed"
    console.click("acknowledge")
    assert console.browser.find_element(By.ID, "order").get_attribute(
        "data-state") == "in_progress"
    console.click("resolve")  # no result text: dispatch's contract names the field
    assert console.all("[data-error-for=result]"), console.text()
    console.fill("result", "已更换灯泡，恢复照明")
    console.browser.find_element(By.ID, "photo").send_keys(png(tmp_path / "fixed.png"))
    console.click("resolve")
    order = console.browser.find_element(By.ID, "order")
    assert order.get_attribute("data-state") == "resolved", console.text()
    assert console.all("#order img"), "the evidence photo is shown"
    assert not console.all("#confirm"), "the worker cannot confirm their own result"

    console.sign_in(tenancy.users["community_admin"]["username"])
    console.open(f"/orders/{made['order']}")
    console.click("confirm")
    assert console.browser.find_element(By.ID, "order").get_attribute(
        "data-state") == "confirmed"


def test_the_resident_sees_the_notification_and_rates_it(console, tenancy):
    console.sign_in(tenancy.users["resident"]["username"])
    console.open("/notifications")
    about = f"#notifications li[data-ref='issue:{made['issue']}']"
    assert console.until(lambda: len(console.all(about)) >= 2, timeout=25), console.text()
    console.press(console.browser.find_element(By.CSS_SELECTOR, f"{about} a"))
    assert console.until(lambda: bool(console.all("#rate-form")))
    console.click("rate")  # no level chosen: evaluation's contract names it
    assert console.all("[data-error-for=level]"), console.text()
    console.browser.find_element(By.CSS_SELECTOR, "input[value=satisfied]").click()
    console.click("rate")
    assert console.path().endswith("?rated=1")
    # Satisfied: intake follows evaluation's rating.given, rated and then closed.
    assert console.until(lambda: console.browser.find_element(By.ID, "issue").get_attribute(
        "data-state") in ("rated", "closed"), timeout=30)
    assert "已评价" in console.text("#timeline")


def test_a_merchant_confirms_a_residents_redemption_code(console, tenancy):
    console.sign_in(tenancy.users["resident"]["username"])
    console.open("/points")
    console.press(console.browser.find_element(
        By.CSS_SELECTOR, f"#offers li[data-offer='{tenancy.offer['id']}'] button"))
    assert console.until(lambda: bool(console.all("#code")), reload=False, timeout=15)
    code = console.text("#code")
    assert console.all("#qr")

    console.sign_in(tenancy.users["merchant"]["username"])
    assert console.path() == "/counter"
    console.fill("code", "NOTACODE!")
    console.click("look-up")
    assert console.all("[data-error-for=code]")
    console.fill("code", code.lower())
    console.click("look-up")
    assert console.text("#checked-code") == code
    assert "大米 5kg" in console.text("#code-for"), console.text()  # read before confirming
    console.click("confirm-code")
    assert "大米 5kg" in console.text("#confirmed"), console.text()
    console.fill("code", code)  # once only: the look-up says why, with no confirm button
    console.click("look-up")
    assert "confirmed" in console.text("#not-confirmable"), console.text()
    assert not console.all("#confirm-code")


def test_an_admin_opens_the_dashboard_with_its_chart(console, tenancy):
    console.sign_in(tenancy.users["street_admin"]["username"])
    assert console.path() == "/dashboard"
    assert "满意率" in console.text("#rates")
    # what went up the ladder to the street: deliberation's and care's lists (none yet)
    assert console.all("#decisions-escalated") and console.all("#visits-escalated")
    charts = console.all("#charts img.chart")
    assert charts
    assert console.until(lambda: all(
        console.browser.execute_script("return arguments[0].naturalWidth", img) > 100
        for img in console.all("#charts img.chart")), timeout=15)
    links = console.all("#ranking a")
    assert tenancy.community["id"] in links[0].get_attribute("href")
    console.press(links[0])
    assert "测试社区" in console.text("main")


def test_a_resident_posts_a_micro_wish_and_a_proposal_the_admin_lists(console, tenancy):
    console.sign_in(tenancy.users["resident"]["username"])
    console.open("/wishes")
    console.fill("detail", "周三上午需要有人陪同去社区医院")
    console.click("post-wish")  # no title: volunteers' contract names it
    assert console.all("[data-error-for=title]"), console.text()
    console.fill("title", "陪同看病")
    console.click("post-wish")
    assert "陪同看病" in console.text("#my-wishes")
    console.open("/topics")
    console.fill("title", "小区增设充电桩")
    console.fill("detail", "电动车多, 充电难, 提议在东门增设充电桩")
    console.click("propose")
    proposal = "#proposals li"
    assert "小区增设充电桩" in console.text("#proposals"), console.text()

    console.sign_in(tenancy.users["community_admin"]["username"])
    console.open("/topics")
    item = next(li for li in console.all(proposal) if "充电桩" in li.text)
    console.press(item.find_element(By.CSS_SELECTOR, "form[action$='/pick'] button"))
    assert "小区增设充电桩" in console.text("#topics"), console.text()


def test_the_community_admin_sets_an_earning_rule(console, tenancy):
    console.sign_in(tenancy.users["community_admin"]["username"])
    console.open("/community")
    assert "东1网格" in console.text("#grid-tree")
    row = "#rules tr[data-rule=wish_fulfilled]"
    points = console.browser.find_element(By.CSS_SELECTOR, f"{row} input[name=points]")
    points.clear()
    points.send_keys("-3")
    console.press(console.browser.find_element(By.CSS_SELECTOR, f"{row} button"))
    assert console.all("[data-error-for=points]"), console.text()
    points = console.browser.find_element(By.CSS_SELECTOR, f"{row} input[name=points]")
    points.clear()
    points.send_keys("7")
    console.press(console.browser.find_element(By.CSS_SELECTOR, f"{row} button"))
    assert console.browser.find_element(By.CSS_SELECTOR, f"{row} input[name=points]"
                                        ).get_attribute("value") == "7"


def test_the_community_admin_adds_an_offer(console, tenancy):
    console.sign_in(tenancy.users["community_admin"]["username"])
    console.open("/community")
    console.fill("title", "洗衣液")
    console.fill("price", "25")
    console.fill("stock", "5")
    console.click("create-offer")  # no validity window: points' contract names the fields
    assert console.all("[data-error-for=valid_from]"), console.text()
    for name, value in (("valid_from", "2026-01-01"), ("valid_until", "2036-01-01")):
        console.browser.execute_script(
            "document.getElementsByName(arguments[0])[0].value = arguments[1]", name, value)
    console.click("create-offer")
    assert "洗衣液" in console.text("#community-offers"), console.text()


def test_a_merchant_puts_its_own_offer_on_sale(console, tenancy):
    console.sign_in(tenancy.users["merchant"]["username"])
    console.open("/offers")
    assert "大米 5kg" in console.text("#my-offers")  # the offer its community's admin made
    console.fill("title", "理发券")
    console.fill("price", "20")
    for name, value in (("valid_from", "2026-01-01"), ("valid_until", "2036-01-01")):
        console.browser.execute_script(
            "document.getElementsByName(arguments[0])[0].value = arguments[1]", name, value)
    console.click("create-offer")  # no stock: points' contract names the field
    assert console.all("[data-error-for=stock]"), console.text()
    assert console.browser.find_element(By.NAME, "title").get_attribute("value") == "理发券"
    console.fill("stock", "8")
    console.click("create-offer")
    assert console.all("#offer-added"), console.text()
    assert "理发券" in console.text("#my-offers")
    # restocked from what the page shows (points' compare-and-set of the stock)
    [row] = [li for li in console.all("#my-offers li") if "理发券" in li.text]
    offer_id = row.get_attribute("data-offer")
    field = row.find_element(By.NAME, "new_stock")
    field.clear()
    field.send_keys("12")
    console.press(row.find_element(By.CSS_SELECTOR, "button[data-restock]"))
    assert console.all("#offer-restocked"), console.text()
    assert console.text(f"#my-offers li[data-offer='{offer_id}'] .stock") == "12"
    # a page older than a reservation (its seen stock no longer the stock): refused, named
    row = console.browser.find_element(By.CSS_SELECTOR, f"#my-offers li[data-offer='{offer_id}']")
    console.browser.execute_script("arguments[0].value = '8'; arguments[1].value = '20'",
                                   row.find_element(By.NAME, "seen_stock"),
                                   row.find_element(By.NAME, "new_stock"))
    console.press(row.find_element(By.CSS_SELECTOR, "button[data-restock]"))
    assert console.all("[data-error-for=stock_was]"), console.text()
    assert console.text(f"#my-offers li[data-offer='{offer_id}'] .stock") == "12"


def test_a_form_sent_twice_acts_once(console, tenancy, base_url):
    """A double tap, or a form resent from the browser's history: the redeem form carries
    its own idempotency key, so points makes one redemption and both answers name it."""
    console.sign_in(tenancy.users["resident"]["username"])
    console.open("/points")
    form = console.browser.find_element(
        By.CSS_SELECTOR, f"#offers li[data-offer='{tenancy.offer['id']}'] form")
    fields = {i.get_attribute("name"): i.get_attribute("value")
              for i in form.find_elements(By.CSS_SELECTOR, "input[type=hidden]")}
    assert fields["once"] and fields["offer_id"] == tenancy.offer["id"]
    others = {i.get_attribute("value") for i in console.browser.find_elements(
        By.CSS_SELECTOR, "input[name=once]")}
    assert len(others) == len(console.all("input[name=once]"))  # each form its own key
    cookies = {c["name"]: c["value"] for c in console.browser.get_cookies()}
    with httpx.Client(cookies=cookies, follow_redirects=False, timeout=20) as client:
        answers = [client.post(f"{base_url}/points/redeem", data=fields) for _ in range(2)]
    assert [a.status_code for a in answers] == [303, 303], [a.text for a in answers]
    first, second = (a.headers["location"] for a in answers)
    assert first == second and "/points/redemptions/" in first
