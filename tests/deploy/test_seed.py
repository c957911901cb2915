"""The demo seed, against the real identity service on the test's own vhost and databases."""

from __future__ import annotations

from collections import Counter

from nameko.standalone.rpc import ClusterRpcProxy

from deploy.seed import DEMO_PASSWORD, SYSTEM, demo_logins, seed
from services.common.topology import SERVICES
from services.identity.service import IdentityService

IDENTITY = tuple(s for s in SERVICES if s.name == "identity")


def test_seed_creates_the_demo_tree_and_accounts_once(container_factory, service_config):
    container_factory(IdentityService, service_config).start()
    amqp_uri = service_config["AMQP_URI"]

    assert seed(amqp_uri, IDENTITY, say=lambda _: None) is True
    assert seed(amqp_uri, IDENTITY, say=lambda _: None) is False

    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as rpc:
        district = rpc.identity.find_district(SYSTEM, "demo")
        admin = {"user_id": "seed-test", "role": "district_admin",
                 "district_id": district["id"]}
        units = Counter(u["level"] for u in rpc.identity.list_units(admin))
        assert units == {"street": 2, "community": 4}
        roles = Counter(user["role"]
                        for unit in rpc.identity.list_units(admin) if unit["level"] == "community"
                        for user in rpc.identity.list_users(admin, unit["id"]))
        assert roles["volunteer"] == 20
        assert roles["merchant"] == 3
        for username, password in demo_logins(IDENTITY):
            assert password == DEMO_PASSWORD
            account = rpc.identity.authenticate({"username": username, "password": password})
            assert account["username"] == username


def test_production_never_seeds_the_demo():
    """LINLI_ENV=production refuses before any broker is touched (no broker at this URI)."""
    import pytest

    from deploy.errors import StackError

    with pytest.raises(StackError, match="refused with LINLI_ENV=production"):
        seed("pyamqp://nobody:nothing@127.0.0.1:1/", IDENTITY, say=lambda _: None,
             env={"LINLI_ENV": "production"})
