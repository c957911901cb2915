"""The local stack's scale-out settings: replicas of a service, a store per service."""

from __future__ import annotations

import pytest

from deploy.errors import StackError
from deploy.local_stack import Stack
from deploy.settings import StackSettings
from deploy.stack import overrides, parser
from services.common.topology import SERVICES

BASE = {"LINLI_STACK_DIR": "/tmp/linli-scale-out-test", "LINLI_MONGO_URI": "mongodb://127.0.0.1:27500"}


def _stack(**extra: str) -> Stack:
    return Stack(BASE | extra, with_gateway=True, say=lambda _: None)


def test_by_default_every_service_runs_once_on_the_one_store():
    stack = _stack()
    assert list(stack.processes()) == [s.name for s in SERVICES] + ["gateway"]
    assert stack.stores() == {"store": "mongodb://127.0.0.1:27500"}
    assert {p.env["LINLI_MONGO_URI"] for p in stack.processes().values()} == {
        "mongodb://127.0.0.1:27500"}


def test_replicas_are_more_processes_of_the_same_module_each_with_its_own_metrics_port():
    stack = _stack(LINLI_REPLICAS_INTAKE="2", LINLI_REPLICAS_DISPATCH="3",
                   LINLI_DISPATCH_3_METRICS_PORT="19303")
    procs = stack.processes()
    assert [n for n in procs if n.startswith(("intake", "dispatch"))] == [
        "intake", "intake-2", "dispatch", "dispatch-2", "dispatch-3"]
    assert procs["intake"].argv == procs["intake-2"].argv
    ports = [p.port for p in procs.values()]
    assert len(set(ports)) == len(ports)
    assert procs["intake-2"].port == procs["intake"].port + 100
    assert procs["dispatch-3"].port == 19303
    assert procs["dispatch-3"].env["LINLI_METRICS_PORT"] == "19303"
    assert set(stack.metrics_urls) == set(procs)


def test_a_store_per_service_gives_each_process_its_own_uri_and_store_process():
    stack = _stack(LINLI_STORE_PER_SERVICE="1", LINLI_REPLICAS_INTAKE="2",
                   LINLI_GATEWAY_MONGO_URI="mongodb://127.0.0.1:27600")
    stores = stack.stores()
    assert set(stores) == {"store", *(f"store-{s.name}" for s in SERVICES), "store-gateway"}
    assert len(set(stores.values())) == len(stores)
    procs = stack.processes()
    for s in SERVICES:
        assert procs[s.name].env["LINLI_MONGO_URI"] == stores[f"store-{s.name}"]
    assert procs["intake-2"].env["LINLI_MONGO_URI"] == procs["intake"].env["LINLI_MONGO_URI"]
    assert procs["gateway"].env["LINLI_MONGO_URI"] == "mongodb://127.0.0.1:27600"


def test_one_named_store_moves_only_that_service():
    stack = _stack(LINLI_INTAKE_MONGO_URI="mongodb://127.0.0.1:27601")
    assert stack.stores() == {"store": "mongodb://127.0.0.1:27500",
                              "store-intake": "mongodb://127.0.0.1:27601"}
    assert stack.processes()["dispatch"].env["LINLI_MONGO_URI"] == "mongodb://127.0.0.1:27500"


def test_up_options_stand_for_the_linli_variables():
    args = parser().parse_args(["up", "--replicas", "intake=2,dispatch=2", "--store-per-service"])
    assert overrides(args) == {"LINLI_REPLICAS_INTAKE": "2", "LINLI_REPLICAS_DISPATCH": "2",
                               "LINLI_STORE_PER_SERVICE": "1"}
    settings = StackSettings.from_env(overrides(args))
    assert settings.replica_count("intake") == 2 and settings.replica_count("identity") == 1
    with pytest.raises(StackError, match="service=N"):
        overrides(parser().parse_args(["up", "--replicas", "intake"]))
