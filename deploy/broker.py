"""Making sure RabbitMQ answers, with the management API the tests create vhosts through.

The broker is a system service: we may install and start Debian's, but we
never stop it (`down` leaves it running for the next `up` and for tests).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
from collections.abc import Callable

import httpx

from deploy.errors import StackError
from deploy.packages import can_install, ensure_debian_package
from deploy.settings import StackSettings, host_port, is_loopback
from deploy.waits import wait_until

DEBIAN_PORT = 5672  # where Debian's rabbitmq-server listens: installing it helps only there


def ensure_broker(settings: StackSettings, need_management: bool,
                  say: Callable[[str], None] = print) -> None:
    host, port = host_port(settings.amqp_uri, DEBIAN_PORT)
    installable = is_loopback(host) and port == DEBIAN_PORT
    if not answers(host, port) and installable and can_install():
        say(f"broker: nothing on {host}:{port}; starting Debian's rabbitmq-server")
        server = ensure_debian_package("rabbitmq-server", "rabbitmq-server")
        if server:
            subprocess.run([server, "-detached"], check=False)
            wait_until(lambda: answers(host, port), timeout=90)
    if not answers(host, port):
        raise StackError(
            f"RabbitMQ broker: nothing answers on {host}:{port} (LINLI_AMQP_URI). Start it with "
            "`rabbitmq-server -detached` (as root; Debian package rabbitmq-server), "
            "or point LINLI_AMQP_URI at a running broker.")
    if is_loopback(host):
        _ensure_management(settings, need_management, say)


def _ensure_management(settings: StackSettings, required: bool,
                       say: Callable[[str], None]) -> None:
    api = settings.rabbit_api_uri
    plugins = shutil.which("rabbitmq-plugins") or shutil.which("rabbitmq-plugins",
                                                                path="/usr/sbin:/sbin")
    if not management_answers(api) and plugins:
        say("broker: enabling the management plugin (rabbitmq_management)")
        subprocess.run([plugins, "enable", "rabbitmq_management"], check=False,
                       stdout=subprocess.DEVNULL)
        wait_until(lambda: management_answers(api), timeout=60)
    if required and not management_answers(api):
        raise StackError(
            f"RabbitMQ management API: no answer at {_without_password(api)} "
            "(LINLI_RABBIT_API_URI); the tests create their vhosts through it. "
            "Enable it with `rabbitmq-plugins enable rabbitmq_management`.")


def sweep_test_vhosts(settings: StackSettings, say: Callable[[str], None] = print) -> int:
    """Delete the `nameko_test_*` vhosts that test runs killed mid-way left behind (each
    keeps its queues and exchanges, and hundreds of them slow the broker for every later
    run). Only for a machine whose broker no other test run is using at the time (CI):
    a running suite's pre-made vhosts look the same."""
    api = settings.rabbit_api_uri
    try:
        vhosts = httpx.get(f"{api}/api/vhosts", timeout=10.0).json()
    except (httpx.HTTPError, ValueError):
        return 0
    stale = [v["name"] for v in vhosts if str(v.get("name", "")).startswith("nameko_test_")]
    for name in stale:
        with contextlib.suppress(httpx.HTTPError):
            httpx.delete(f"{api}/api/vhosts/{name}", timeout=30.0)
    if stale:
        say(f"broker: deleted {len(stale)} test vhosts left by earlier runs")
    return len(stale)


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def management_answers(api_uri: str) -> bool:
    try:
        return httpx.get(f"{api_uri}/api/overview", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _without_password(uri: str) -> str:
    head, sep, tail = uri.rpartition("@")
    return f"{uri.split('//', 1)[0]}//{tail}" if sep else uri
