"""Identity called directly over RPC (not through the gateway), with a caller per role."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nameko.standalone.rpc import ServiceRpcProxy

from services.common.caller import Caller
from services.common.errors import DomainError

SYSTEM = Caller.system().model_dump(mode="json")
PASSWORD = "password-123"
OK = "ok"


@dataclass
class Tree:
    """A district with streets A and B, community A in A and B in B; another district X."""

    district: dict
    other_district: dict
    streets: dict[str, dict]
    communities: dict[str, dict]
    users: dict[str, dict] = field(default_factory=dict)

    def caller(self, role: str, where: str = "A", **extra: Any) -> dict:
        """The caller context the gateway would pass for a `role` placed at `where`
        (X: the other district). Identity trusts it as given."""
        if where == "X":
            return {"user_id": f"u-{role}-x", "role": role,
                    "district_id": self.other_district["id"], **extra}
        caller = {"user_id": f"u-{role}-{where}", "role": role, "district_id": self.district["id"]}
        if role != "district_admin" and role != "ops":
            caller["street_id"] = self.streets[where]["id"]
        if role not in ("district_admin", "street_admin", "ops"):
            caller["community_id"] = self.communities[where]["id"]
        return caller | extra


def build_tree(identity: Any) -> Tree:
    code = uuid.uuid4().hex[:8]
    district = identity.create_district(SYSTEM, {"name": "District", "code": f"d{code}"})
    other = identity.create_district(SYSTEM, {"name": "Other", "code": f"x{code}"})
    streets = {k: identity.create_street(SYSTEM, {"district_id": district["id"],
                                                  "name": f"Street {k}"}) for k in "AB"}
    communities = {k: identity.create_community(SYSTEM, {"street_id": streets[k]["id"],
                                                         "name": f"Community {k}"})
                   for k in "AB"}
    return Tree(district, other, streets, communities)


def outcome(call: Callable[[], Any]) -> str:
    """OK, or the refusal as "<status> <code>"."""
    try:
        call()
    except DomainError as exc:
        return f"{exc.status} {exc.code}"
    return OK


def proxy(config: dict) -> ServiceRpcProxy:
    return ServiceRpcProxy("identity", config)


def new_user(tree: Tree, role: str, where: str = "A", **extra: Any) -> dict:
    """A UserIn body for a `role` account at `where`."""
    data: dict[str, Any] = {"username": f"{role}_{uuid.uuid4().hex[:8]}", "password": PASSWORD,
                            "role": role, "display_name": f"{role} {where}"}
    if role == "street_admin":
        data["street_id"] = tree.streets[where]["id"]
    elif role in ("district_admin", "ops"):
        data["district_id"] = tree.district["id"]
    else:
        data["community_id"] = tree.communities[where]["id"]
    needs = {"grid_worker": "grid_id", "department": "department_id", "merchant": "merchant_id"}
    if role in needs:
        data[needs[role]] = f"{needs[role][:-3]}-{where}"
    return data | extra
