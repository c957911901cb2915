"""The demo seed's intake step files an issue from every channel it has a filer for; its
evaluation step sets each community's rating window and 三评议 weights as the system caller
(evaluation may not have heard of the communities yet) and records the first community's
committee for last year. One seed for both: each costs identity's accounts (~10 s)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from nameko.standalone.rpc import ClusterRpcProxy

from deploy.seed import SYSTEM, seed
from services.common.topology import SERVICES
from services.evaluation.service import EvaluationService
from services.identity.service import IdentityService
from services.intake.service import IntakeService

PRESENT = tuple(s for s in SERVICES if s.name in ("identity", "intake", "evaluation"))


def test_the_seed_files_demo_issues_across_channels_and_sets_evaluation(container_factory,
                                                                        service_config):
    for cls in (IdentityService, IntakeService, EvaluationService):
        container_factory(cls, service_config).start()
    assert seed(service_config["AMQP_URI"], PRESENT, say=lambda _: None) is True
    with ClusterRpcProxy({"AMQP_URI": service_config["AMQP_URI"]}, timeout=10) as rpc:
        district = rpc.identity.find_district(SYSTEM, "demo")
        admin = {"user_id": "seed-test", "role": "district_admin", "district_id": district["id"]}
        communities = [u for u in rpc.identity.list_units(admin) if u["level"] == "community"]
        first = communities[0]
        issues = rpc.intake.list_issues(admin, first["id"], limit=100)["items"]
        policies = [rpc.evaluation.get_policy(SYSTEM, c["id"]) for c in communities]
        year = datetime.now(UTC).year - 1
        recorded = [rpc.evaluation.three_routes(SYSTEM, c["id"], year) for c in communities
                    if c["name"] == "东湖一社区"]
    # without dispatch there is no grid worker, so no grid patrol
    assert Counter(i["channel"] for i in issues) == {
        "app": 1, "online_hall": 1, "hotline": 1, "visit": 1, "door_knocking": 1}
    assert {i["state"] for i in issues if i["category"] == "street_lighting"} == {"triaged"}
    assert len(policies) == 4 and all(
        (p["window_days"], p["three_route_weights"]) == (
            7, {"online": 0.4, "meeting": 0.4, "board": 0.2}) for p in policies)
    assert recorded and recorded[0]["combined"] == 88.4  # 0.4·91 + 0.4·88 + 0.2·84
