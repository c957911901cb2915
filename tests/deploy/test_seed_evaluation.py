"""The demo seed's evaluation step: each community's rating window and 三评议 weights, set
by the system caller (evaluation may not have heard of the communities yet), and the first
community's committee evaluated for last year."""

from __future__ import annotations

from datetime import UTC, datetime

from nameko.standalone.rpc import ClusterRpcProxy

from deploy.seed import SYSTEM, seed
from services.common.topology import SERVICES
from services.evaluation.service import EvaluationService
from services.identity.service import IdentityService

PRESENT = tuple(s for s in SERVICES if s.name in ("identity", "evaluation"))


def test_the_seed_sets_each_communitys_evaluation_policy_and_a_committee_year(
        container_factory, service_config):
    for cls in (IdentityService, EvaluationService):
        container_factory(cls, service_config).start()
    assert seed(service_config["AMQP_URI"], PRESENT, say=lambda _: None) is True
    with ClusterRpcProxy({"AMQP_URI": service_config["AMQP_URI"]}, timeout=10) as rpc:
        district = rpc.identity.find_district(SYSTEM, "demo")
        admin = {"user_id": "seed-test", "role": "district_admin", "district_id": district["id"]}
        communities = [u for u in rpc.identity.list_units(admin) if u["level"] == "community"]
        assert len(communities) == 4
        for community in communities:
            got = rpc.evaluation.get_policy(SYSTEM, community["id"])
            assert (got["window_days"], got["three_route_weights"]) == (
                7, {"online": 0.4, "meeting": 0.4, "board": 0.2})
        year = datetime.now(UTC).year - 1
        recorded = [rpc.evaluation.three_routes(SYSTEM, c["id"], year) for c in communities
                    if c["name"] == "东湖一社区"]
    assert recorded and recorded[0]["combined"] == 88.4  # 0.4·91 + 0.4·88 + 0.2·84
