"""Installing a missing Debian package, only where that is allowed (root) and useful."""

from __future__ import annotations

import os
import shutil
import subprocess

from deploy.errors import StackError


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def ensure_debian_package(binary: str, package: str) -> str | None:
    """The path of `binary`, installing `package` first when root; None if still missing."""
    found = shutil.which(binary) or _sbin(binary)
    if found or not can_install():
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
                       check=True, env=env)
    except subprocess.CalledProcessError as exc:
        raise StackError(f"installing the Debian package {package} failed ({exc}); "
                         f"install it by hand: apt-get install -y {package}") from exc
    return shutil.which(binary) or _sbin(binary)


def _sbin(binary: str) -> str | None:
    # rabbitmq-server lives in /usr/sbin, which a non-login shell may not have on PATH.
    return shutil.which(binary, path="/usr/sbin:/sbin")
