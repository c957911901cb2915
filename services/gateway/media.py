"""Open311 `media_url`: fetch the picture the client points at, within limits, or not at all.

http/https only; every address the host resolves to must be public (no private, loopback,
link-local, multicast or reserved address), and the connection goes to the address that
was checked (no second lookup to rebind); redirects are followed by hand, at most three,
each hop checked again. The answer must be a JPEG, PNG or WebP under the photo size limit
and arrive within a total deadline (`media_fetch_seconds`). Anything else: None, and the
issue keeps the URL as a link. `allow_hosts` (settings) lets named hosts through the
address rule: tests serve their image on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from fastapi import UploadFile

from services.common.contracts.intake import PHOTO_FORMATS
from services.common.errors import PayloadTooLarge, UnsupportedMediaType

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
PHOTO_TYPES = frozenset(PHOTO_FORMATS.values())  # what the services accept, not a copy
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
Resolve = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def fetch_image(url: str, max_bytes: int, seconds: float, allow_hosts: frozenset[str] = frozenset(),
                lookup: Resolve = resolve) -> tuple[bytes | None, str]:
    """(the image bytes, "photo"), or (None, why it stays a link)."""
    deadline = time.monotonic() + seconds
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None, "not http(s)"
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = lookup(host, port)
        except OSError:
            return None, "unresolved"
        if not addresses or (host not in allow_hosts and not all(map(public, addresses))):
            return None, "private address"
        try:
            status, location, data = _get(parts.scheme, host, port, addresses[0],
                                          parts.path or "/", parts.query, max_bytes, deadline)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return None, f"unreachable: {type(exc).__name__}"
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        return (data, "photo") if data is not None else (None, location or f"status {status}")
    return None, "too many redirects"


def _get(scheme: str, host: str, port: int, address: str, path: str, query: str,
         max_bytes: int, deadline: float) -> tuple[int, str | None, bytes | None]:
    remaining = max(0.1, deadline - time.monotonic())
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=remaining,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=remaining)
    # Connect to the address that was checked; TLS still verifies `host` (SNI, certificate).
    conn._create_connection = (  # type: ignore[attr-defined]
        lambda _addr, timeout=None, source=None: socket.create_connection(
            (address, port), timeout, source))
    try:
        conn.request("GET", path + (f"?{query}" if query else ""),
                     headers={"User-Agent": "linli-open311/1", "Accept": "image/*"})
        response = conn.getresponse()
        if response.status in (301, 302, 303, 307, 308):
            return response.status, response.getheader("location"), None
        kind = (response.getheader("content-type") or "").split(";")[0].strip().lower()
        if response.status != 200:
            return response.status, None, None
        if kind not in IMAGE_TYPES:
            return 200, f"not an image ({kind or 'no type'})", None
        declared = response.getheader("content-length")
        if declared and (not declared.isdigit() or int(declared) > max_bytes):
            return 200, "too large", None
        data = bytearray()
        while True:
            if time.monotonic() > deadline:
                return 200, "too slow", None
            if conn.sock is not None:
                conn.sock.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = response.read(CHUNK)
            if not chunk:
                return 200, None, bytes(data)
            data += chunk
            if len(data) > max_bytes:
                return 200, "too large", None
    finally:
        conn.close()


def uploaded_photo(file: UploadFile, max_bytes: int) -> bytes:
    """A multipart photo's bytes, refused before the service is asked when its declared type
    is not an image or it is over the limit (read one byte past it, never all of it)."""
    if (file.content_type or "").split(";")[0].strip().lower() not in PHOTO_TYPES:
        raise UnsupportedMediaType("photos must be JPEG, PNG or WebP",
                                   {"file": f"type {file.content_type} not accepted"})
    data = file.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLarge("the photo is too large", {"file": f"at most {max_bytes} bytes"})
    return data
