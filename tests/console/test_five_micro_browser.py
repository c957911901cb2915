"""The 五微 board in headless Chromium on a phone's width, signed out: the five sections with
the figures the package's flows moved (the resident's 100 points), no sideways scroll."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.console.pages import Console

pytestmark = pytest.mark.e2e
SECTIONS = ["micro_wish", "micro_volunteering", "micro_governance", "micro_points",
            "micro_renewal"]


def _figure(console: Console, key: str) -> float:
    found = console.all(f"[data-figure={key}] dd")
    return float(found[0].text) if found else -1.0


def test_anyone_reads_the_five_micro_board_on_a_phone(browser, base_url, tenancy):
    console = Console(browser, base_url, tenancy.password)
    browser.delete_all_cookies()
    browser.set_window_size(375, 812)
    try:
        console.open(f"/five-micro/{tenancy.community['id']}")
        assert [e.get_attribute("data-section") for e in console.all("[data-section]")] == \
            SECTIONS
        assert console.until(lambda: _figure(console, "earned") >= 100), console.text()
        assert all(e.get_attribute("data-available") == "yes"
                   for e in console.all("[data-section]"))
        assert "微心愿" in console.text() and "测试社区" in console.text("h1")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 375, width
        console.browser.find_element(By.ID, "lang-switch").click()
        assert console.until(lambda: "Micro-wishes" in console.text(), reload=False)
    finally:
        browser.delete_all_cookies()
        browser.set_window_size(1280, 900)
