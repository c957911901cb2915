"""`python -m deploy.screenshots`: each role's main console page at phone (375) and desktop
(1280) widths, saved as docs/screenshots/<role>-phone.png and <role>-desktop.png.

It uses the stack `make up` runs when its gateway answers (LINLI_GATEWAY_PORT), else it
starts a seeded stack of its own in a scratch directory and stops it after. The demo
accounts sign in (deploy/seed.py); Chinese is the console's default language.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

import httpx

from deploy.browser import driver, ensure_browser
from deploy.errors import StackError
from deploy.local_stack import Stack
from deploy.seed import DEMO_PASSWORD
from deploy.settings import REPO

OUT = REPO / "docs" / "screenshots"
# role → (demo login, the page shown)
ROLES = {
    "resident": ("resident", "/console/issues"),
    "grid_worker": ("gridworker", "/console/orders"),
    "volunteer": ("volunteer01", "/console/orders"),
    "merchant": ("merchant1", "/console/counter"),
    "community_admin": ("community_admin", "/console/triage"),
    "street_admin": ("street_admin", "/console/dashboard"),
    "district_admin": ("district_admin", "/console/dashboard"),
    "ops": ("ops", "/console/ops"),
}
SIZES = {"phone": (375, 812), "desktop": (1280, 900)}


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def shoot(base: str, out: Path = OUT, roles: dict = ROLES) -> list[Path]:
    from selenium.webdriver.common.by import By

    out.mkdir(parents=True, exist_ok=True)
    made = []
    for size, (width, height) in SIZES.items():
        browser = driver(width, height)
        try:
            for role, (username, page) in roles.items():
                browser.delete_all_cookies()
                browser.get(f"{base}/console/login?lang=zh")
                browser.find_element(By.NAME, "username").send_keys(username)
                browser.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
                browser.find_element(By.ID, "sign-in").click()
                browser.get(f"{base}{page}")
                browser.execute_script("return document.fonts.ready")
                # the whole page, as tall as its content (at most 3 screens)
                tall = browser.execute_script("return document.documentElement.scrollHeight")
                browser.set_window_size(width, min(max(height, tall), 3 * height))
                path = out / f"{role}-{size}.png"
                browser.save_screenshot(str(path))
                browser.set_window_size(width, height)
                made.append(path)
                print(f"saved {path.relative_to(REPO)}")
        finally:
            browser.quit()
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        ensure_browser()
        running = Stack(say=lambda _: None)
        if running.gateway_url and _answers(running.gateway_url):
            shoot(running.gateway_url, args.out)
            return 0
        scratch = tempfile.mkdtemp(prefix="linli-screenshots-")
        from services.common.testing.embedded_store import free_port
        from services.common.topology import SERVICES

        env = {**os.environ, "LINLI_STACK_DIR": scratch, "LINLI_STACK_SEED": "1",
               "LINLI_MONGO_URI": f"mongodb://127.0.0.1:{free_port()}",
               "LINLI_GATEWAY_PORT": str(free_port()),
               **{f"LINLI_{s.name.upper()}_METRICS_PORT": str(free_port()) for s in SERVICES}}
        if "LINLI_AMQP_URI" not in os.environ:
            vhost = f"linli_shots_{uuid.uuid4().hex[:6]}"
            _vhost("PUT", vhost)
            env["LINLI_AMQP_URI"] = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
        own = Stack(env, say=print)
        try:
            own.up(seed=True)
            shoot(own.gateway_url, args.out)
        finally:
            own.down()
            if "LINLI_AMQP_URI" not in os.environ:
                _vhost("DELETE", env["LINLI_AMQP_URI"].rsplit("/", 1)[1])
    except StackError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    return 0


def _vhost(method: str, name: str) -> None:
    """Its own vhost on the local broker (the management API), so a shared broker's other
    stacks are untouched."""
    from urllib.parse import urlsplit

    from deploy.settings import StackSettings

    uri = urlsplit(StackSettings.from_env(os.environ).rabbit_api_uri)
    api = f"{uri.scheme}://{uri.hostname}:{uri.port or 15672}/api"
    auth = (uri.username or "guest", uri.password or "guest")
    httpx.request(method, f"{api}/vhosts/{name}", auth=auth, timeout=5).raise_for_status()
    if method == "PUT":
        httpx.put(f"{api}/permissions/{name}/{auth[0]}", auth=auth, timeout=5, json={
            "configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()


if __name__ == "__main__":
    sys.exit(main())
