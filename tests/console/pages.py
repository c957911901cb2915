"""Driving the console as a person would: sign in, follow links, fill forms, press buttons."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver


class Console:
    def __init__(self, browser: WebDriver, base_url: str, password: str) -> None:
        self.browser, self.base, self.password = browser, base_url, password

    def sign_in(self, username: str) -> None:
        self.browser.delete_all_cookies()
        self.open("/login")
        self.browser.find_element(By.NAME, "username").send_keys(username)
        self.browser.find_element(By.NAME, "password").send_keys(self.password)
        self.click("sign-in")

    def open(self, path: str) -> None:
        self.browser.get(self.base + path)

    def click(self, element_id: str) -> None:
        """Press a button or link that loads a page, and wait for the new page."""
        self.press(self.browser.find_element(By.ID, element_id))

    def press(self, element) -> None:
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        page = self.browser.find_element(By.TAG_NAME, "html")

        def replaced(_driver: object) -> bool:
            # Chromium answers a node read while its page is being replaced with "Node with
            # given id does not belong to the document", not a stale reference: both mean
            # the new page is in (selenium's staleness_of knows only the second).
            try:
                page.is_enabled()
            except StaleElementReferenceException:
                return True
            except WebDriverException as exc:
                if "does not belong to the document" in str(exc):
                    return True
                raise
            return False

        element.click()
        WebDriverWait(self.browser, 20).until(replaced)

    def text(self, css: str = "main") -> str:
        return self.browser.find_element(By.CSS_SELECTOR, css).text

    def all(self, css: str) -> list:
        return self.browser.find_elements(By.CSS_SELECTOR, css)

    def fill(self, name: str, value: str) -> None:
        field = self.browser.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)

    def path(self) -> str:
        return self.browser.current_url.split("/console", 1)[1]

    def until(self, check: Callable[[], bool], timeout: float = 20, reload: bool = True) -> bool:
        """Reload the page until `check` holds (events cross services asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            if check():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.4)
            if reload:
                self.browser.refresh()


def png(path) -> str:
    """A small photo to upload (a real PNG Pillow draws)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 40)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)
