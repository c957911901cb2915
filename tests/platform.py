"""Drive services in-process through the real gateway app, on the test's own vhost and databases.

`Platform.start(*services)` starts the identity service plus the given nameko
services in containers and returns a TestClient on the gateway. `tenancy()`
creates a district with two streets and a community in each (A and B), and
`headers(role, "A")` signs in a user of that role there (created on first use).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.testclient import TestClient
from nameko.containers import get_container_cls
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.config import Settings
from services.common.errors import InvalidInput
from services.gateway.app import create_app
from services.identity.service import IdentityService

SYSTEM = {"user_id": "system", "role": "system", "district_id": "*"}
PASSWORD = "password-123"


@dataclass
class Tenancy:
    district: dict
    streets: dict[str, dict]
    communities: dict[str, dict]
    users: dict[tuple[str, str, str], dict] = field(default_factory=dict)


class Platform:
    def __init__(self, container_factory: Callable, config: dict[str, Any]) -> None:
        self.container_factory = container_factory
        self.config = config
        self.settings = Settings(amqp_uri=config["AMQP_URI"], **config["LINLI"])
        self.client: TestClient | None = None
        self.containers: dict[str, Any] = {}
        self._tenancy: Tenancy | None = None
        self._tokens: dict[str, str] = {}

    def start(self, *service_classes: type) -> TestClient:
        for cls in (IdentityService, *service_classes):
            container = self.container_factory(cls, self.config)
            container.start()
            self.containers[cls.name] = container
        self.client = TestClient(create_app(self.settings))
        self.client.__enter__()
        return self.client

    def close(self) -> None:
        if self.client is not None:
            self.client.__exit__(None, None, None)

    def rpc(self) -> ClusterRpcProxy:
        return ClusterRpcProxy(self.config)

    def tenancy(self) -> Tenancy:
        if self._tenancy is None:
            with self.rpc() as rpc:
                district = rpc.identity.create_district(
                    SYSTEM, {"name": "Test district", "code": f"t{uuid.uuid4().hex[:8]}"})
                streets, communities = {}, {}
                for key in ("A", "B"):
                    streets[key] = rpc.identity.create_street(
                        SYSTEM, {"district_id": district["id"], "name": f"Street {key}"})
                    communities[key] = rpc.identity.create_community(
                        SYSTEM, {"street_id": streets[key]["id"], "name": f"Community {key}"})
            self._tenancy = Tenancy(district, streets, communities)
        return self._tenancy

    def user(self, role: str, where: str = "A", name: str = "1", **extra: Any) -> dict:
        """A user of `role` in community (or street) `where`, created on first use."""
        tenancy = self.tenancy()
        key = (role, where, name)
        if key not in tenancy.users:
            data: dict[str, Any] = {
                "username": f"{role}_{where}_{name}_{uuid.uuid4().hex[:6]}",
                "password": PASSWORD, "role": role, "display_name": f"{role} {where}{name}",
                "district_id": tenancy.district["id"]}
            if role == "street_admin":
                data["street_id"] = tenancy.streets[where]["id"]
            elif role not in ("district_admin", "ops"):
                data["community_id"] = tenancy.communities[where]["id"]
            defaults = {"grid_worker": "grid_id", "department": "department_id",
                        "merchant": "merchant_id"}
            if role in defaults:
                data[defaults[role]] = f"{defaults[role][:-3]}-{where}-{name}"
            if role == "grid_worker":  # a real grid: identity checks it once it knows them
                data["grid_id"] = f"g-root-{data['community_id']}"
            data |= extra
            tenancy.users[key] = self._create_user(data)
        return tenancy.users[key]

    def _create_user(self, data: dict) -> dict:
        """Create the account; a grid dispatch made a moment ago may not have reached
        identity's read model yet (a 422 naming grid_id): wait for its event, a few seconds."""
        deadline = time.monotonic() + 10
        with self.rpc() as rpc:
            while True:
                try:
                    return rpc.identity.create_user(SYSTEM, data)
                except InvalidInput as exc:
                    if "grid_id" not in (exc.fields or {}) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)

    def headers(self, role: str, where: str = "A", name: str = "1", **extra: Any) -> dict:
        user = self.user(role, where, name, **extra)
        if user["id"] not in self._tokens:
            assert self.client is not None, "start() the platform first"
            response = self.client.post("/auth/login", json={"username": user["username"],
                                                             "password": PASSWORD})
            assert response.status_code == 200, response.text
            self._tokens[user["id"]] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[user['id']]}"}

    def community_id(self, where: str = "A") -> str:
        return self.tenancy().communities[where]["id"]

    def award(self, admin: dict, user_id: str, points: int, reason: str) -> httpx.Response:
        """An admin's award of points to an account made a moment ago: points learns of it
        from identity's user.created, so a 422 naming user_id is retried for a few seconds."""
        assert self.client is not None, "start() the platform first"
        deadline = time.monotonic() + 15
        while True:
            made = self.client.post("/points/awards", headers=admin, json={
                "user_id": user_id, "points": points, "reason": reason})
            waiting = made.status_code == 422 and "user_id" in made.json()["error"]["fields"]
            if not waiting or time.monotonic() > deadline:
                return made
            time.sleep(0.2)


def error_of(response: httpx.Response) -> dict:
    """The error body, asserting it has the one error shape."""
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


@contextlib.contextmanager
def shared_platform(request: Any, vhost_pipeline: Any, store_uri: str) -> Iterator[Platform]:
    """A platform shared by a module's or a package's tests (a module- or package-scoped
    fixture, where nameko's function-scoped `container_factory` cannot serve): its own vhost
    and databases, quick polls, every container it started killed after."""
    from urllib.parse import urlparse

    uri = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    containers: list[Any] = []

    def factory(service_cls: type, config: dict) -> Any:
        container = get_container_cls(config)(service_cls, config)
        containers.append(container)
        return container

    with vhost_pipeline.get() as vhost:
        config = {"AMQP_URI": f"{uri.scheme}://{uri.netloc}/{vhost}",
                  "LINLI": {"mongo_uri": store_uri, "db_prefix": f"t{uuid.uuid4().hex[:10]}_",
                            "outbox_poll_seconds": 1.0, "scheduler_poll_seconds": 0.2,
                            "password_hashing": "cheapest_for_tests"}}
        running = Platform(factory, config)
        try:
            yield running
        finally:
            running.close()
            for container in containers:
                container.kill()
