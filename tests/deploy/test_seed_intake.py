"""The demo seed's intake step files an issue from every channel it has a filer for."""

from __future__ import annotations

from collections import Counter

from nameko.standalone.rpc import ClusterRpcProxy

from deploy.seed import SYSTEM, seed
from services.common.topology import SERVICES
from services.identity.service import IdentityService
from services.intake.service import IntakeService

PRESENT = tuple(s for s in SERVICES if s.name in ("identity", "intake"))


def test_the_seed_files_demo_issues_across_channels(container_factory, service_config):
    for cls in (IdentityService, IntakeService):
        container_factory(cls, service_config).start()
    assert seed(service_config["AMQP_URI"], PRESENT, say=lambda _: None) is True
    with ClusterRpcProxy({"AMQP_URI": service_config["AMQP_URI"]}, timeout=10) as rpc:
        district = rpc.identity.find_district(SYSTEM, "demo")
        admin = {"user_id": "seed-test", "role": "district_admin", "district_id": district["id"]}
        first = next(u for u in rpc.identity.list_units(admin) if u["level"] == "community")
        issues = rpc.intake.list_issues(admin, first["id"], limit=100)["items"]
    # without dispatch there is no grid worker, so no grid patrol
    assert Counter(i["channel"] for i in issues) == {
        "app": 1, "online_hall": 1, "hotline": 1, "visit": 1, "door_knocking": 1}
    assert {i["state"] for i in issues if i["category"] == "street_lighting"} == {"triaged"}
