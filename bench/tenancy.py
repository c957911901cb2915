"""The tenants a benchmark files into: made through identity's RPC, as an operator would."""

from __future__ import annotations

import uuid
import warnings
from dataclasses import dataclass, field

import httpx

SYSTEM = {"user_id": "system", "role": "system", "district_id": "*"}
PASSWORD = "bench-password-2024"
PER_STREET = 10  # communities per street


@dataclass
class Tenancy:
    district: dict
    communities: list[dict]
    users: dict[str, dict] = field(default_factory=dict)  # role -> account, in communities[0]
    tokens: dict[str, str] = field(default_factory=dict)  # role -> bearer token

    @property
    def community_id(self) -> str:
        return self.communities[0]["id"]


def rpc_proxy(amqp_uri: str, timeout: float = 30):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from nameko.standalone.rpc import ClusterRpcProxy
    return ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout)


def make_tenancy(amqp_uri: str, communities: int,
                 roles: tuple[str, ...] = ("resident", "community_admin", "grid_worker")
                 ) -> Tenancy:
    """A district, a street per ten communities, `communities` communities, and one account
    per role in the first community."""
    tag = uuid.uuid4().hex[:6]
    with rpc_proxy(amqp_uri) as rpc:
        district = rpc.identity.create_district(SYSTEM, {"name": f"压测区 {tag}",
                                                         "code": f"b{tag}"})
        made: list[dict] = []
        street = None
        for i in range(communities):
            if i % PER_STREET == 0:
                street = rpc.identity.create_street(SYSTEM, {
                    "district_id": district["id"], "name": f"街道 {i // PER_STREET}"})
            made.append(rpc.identity.create_community(SYSTEM, {
                "street_id": street["id"], "name": f"社区 {i}"}))
        first = made[0]
        users = {role: rpc.identity.create_user(SYSTEM, {
            "username": f"{role}_{tag}", "password": PASSWORD, "role": role,
            "display_name": role, "district_id": district["id"],
            "street_id": first["street_id"], "community_id": first["id"]})
            for role in roles if role != "grid_worker"}
    return Tenancy(district, made, users)


def sign_in(gateway_url: str, tenancy: Tenancy) -> None:
    with httpx.Client(base_url=gateway_url, timeout=15) as http:
        for role, user in tenancy.users.items():
            r = http.post("/auth/login", json={"username": user["username"],
                                               "password": PASSWORD})
            r.raise_for_status()
            tenancy.tokens[role] = r.json()["access_token"]
