"""media_url's address rule and the fetch's refusals, without a platform."""

from __future__ import annotations

from services.gateway import media


def test_private_loopback_link_local_and_reserved_addresses_are_not_public():
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.9", "172.16.5.5", "169.254.169.254",
                    "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
                    "224.0.0.1"):
        assert not media.public(address), address
    assert media.public("93.184.216.34") and media.public("2606:4700:4700::1111")


def test_a_private_address_is_refused_by_default_and_allowed_only_by_name():
    lookup = lambda host, port: ["127.0.0.1"]  # noqa: E731
    assert media.fetch_image("http://images.example/a.png", 1000, 1.0, lookup=lookup) == (
        None, "private address")
    # Any one private address among the host's answers refuses it (no pick-the-public-one).
    mixed = lambda host, port: ["93.184.216.34", "10.0.0.1"]  # noqa: E731
    assert media.fetch_image("http://x.example/a.png", 1000, 1.0, lookup=mixed)[1] == (
        "private address")
    assert media.fetch_image("ftp://x.example/a.png", 1000, 1.0)[1] == "not http(s)"
    assert media.fetch_image("file:///etc/passwd", 1000, 1.0)[1] == "not http(s)"
