"""Headless Chromium from Debian for the console's browser tests and screenshots.

`ensure_browser()` installs Debian's `chromium`, `chromium-driver` and `fonts-noto-cjk`
(Chinese text, not boxes) with apt when /usr/bin/chromium or /usr/bin/chromedriver is
missing: quiet and idempotent. Nothing is downloaded by a tool of its own: Selenium is
pointed at these two binaries (no Selenium Manager).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from deploy.errors import StackError

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FONTS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
PACKAGES = ("chromium", "chromium-driver", "fonts-noto-cjk")


def missing() -> bool:
    return not (CHROMIUM.exists() and CHROMEDRIVER.exists() and FONTS.exists())


def ensure_browser() -> None:
    if not missing():
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise StackError("headless Chromium is missing: as root, "
                         f"apt-get install -y {' '.join(PACKAGES)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in ([apt, "update", "-qq"],
                 [apt, "install", "-y", "-qq", "--no-install-recommends", *PACKAGES]):
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise StackError(f"{' '.join(args[:2])} failed: {done.stderr.strip()[-400:]}")
    if missing():
        raise StackError(f"apt installed {', '.join(PACKAGES)} but {CHROMIUM} or "
                         f"{CHROMEDRIVER} is still missing")


def driver(width: int, height: int):
    """A headless Chromium of that window size (the caller quits it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--hide-scrollbars", "--lang=zh-CN",
                "--force-device-scale-factor=1"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                               options=options)
    browser.set_window_size(width, height)
    browser.set_page_load_timeout(20)
    return browser
