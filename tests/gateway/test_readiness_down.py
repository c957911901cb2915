"""/readyz with the broker and the store really gone: 503 naming each one that is down.

The gateway starts against its own vhost and a throwaway nx-27017 store; then the vhost is
deleted (the broker refuses the gateway's connections, as after a broker rebuild or a
revoked user) and the store process is stopped."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

from fastapi.testclient import TestClient

from services.common.config import Settings
from services.common.testing.embedded_store import EmbeddedStore
from services.gateway.app import create_app


def test_readyz_names_the_broker_and_the_store_when_they_are_down(request, rabbit_manager,
                                                                  tmp_path):
    vhost = f"linli_ready_{uuid.uuid4().hex[:10]}"
    amqp = urlsplit(request.config.getoption("RABBIT_AMQP_URI"))
    rabbit_manager.create_vhost(vhost)
    rabbit_manager.set_vhost_permissions(vhost, amqp.username, ".*", ".*", ".*")
    store = EmbeddedStore(tmp_path).start()
    deleted = False
    try:
        settings = Settings(amqp_uri=urlunsplit(amqp._replace(path=f"/{vhost}")),
                            mongo_uri=store.uri, db_prefix=f"t{uuid.uuid4().hex[:10]}_")
        with TestClient(create_app(settings)) as client:
            ready = client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json() == {"status": "ready", "checks": {"broker": "up", "store": "up"},
                                    "down": []}

            rabbit_manager.delete_vhost(vhost)
            deleted = True
            broker_gone = client.get("/readyz")
            assert broker_gone.status_code == 503, broker_gone.text
            assert broker_gone.json() == {"status": "degraded", "down": ["broker"],
                                          "checks": {"broker": "down", "store": "up"}}

            store.stop()
            both_gone = client.get("/readyz")
            assert both_gone.status_code == 503, both_gone.text
            assert both_gone.json() == {"status": "degraded", "down": ["broker", "store"],
                                        "checks": {"broker": "down", "store": "down"}}
            assert client.get("/healthz").status_code == 200  # alive, only not ready
    finally:
        store.stop()
        if not deleted:
            rabbit_manager.delete_vhost(vhost)


def test_readyz_names_a_broker_on_a_closed_port():
    """Nothing listening at all (the broker process stopped): down, promptly."""
    from services.gateway.routes.health import _broker_up

    assert _broker_up("pyamqp://guest:guest@127.0.0.1:1/") == "down"
