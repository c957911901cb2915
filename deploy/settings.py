"""The stack script's settings: every port and URI comes from a LINLI_* variable.

Built from an explicit mapping (not os.environ directly) so the end-to-end
fixtures can describe a second, isolated stack beside the developer's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from services.common.topology import GATEWAY_PORT, ServiceSpec

REPO = Path(__file__).resolve().parents[1]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class StackSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    stack_dir: Path = REPO / ".stack"
    amqp_uri: str = "pyamqp://guest:guest@127.0.0.1:5672/"
    rabbit_api_uri: str = "http://guest:guest@127.0.0.1:15672"
    mongo_uri: str = "mongodb://127.0.0.1:27017"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = GATEWAY_PORT
    stack_seed: bool = True
    # nameko imports are slow on 2 cores, and the first start builds indexes.
    stack_start_timeout: float = 60.0
    metrics_ports: dict[str, int] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StackSettings:
        """LINLI_<FIELD> sets a field; LINLI_<SERVICE>_METRICS_PORT sets one service's port."""
        values: dict[str, object] = {}
        ports: dict[str, int] = {}
        for key, value in env.items():
            if not key.startswith("LINLI_"):
                continue
            name = key.removeprefix("LINLI_").lower()
            if name.endswith("_metrics_port"):
                ports[name.removesuffix("_metrics_port")] = int(value)
            else:
                values[name] = value
        return cls.model_validate(values | {"metrics_ports": ports})

    def metrics_port(self, spec: ServiceSpec) -> int:
        return self.metrics_ports.get(spec.name, spec.metrics_port)

    @property
    def gateway_url(self) -> str:
        return f"http://{self.gateway_host}:{self.gateway_port}"


def host_port(uri: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(uri)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def is_loopback(host: str) -> bool:
    return host in LOOPBACK
