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
    metrics_ports: dict[str, int] = {}  # by process: "intake", "intake_2" (its 2nd replica)
    replicas: dict[str, int] = {}  # LINLI_REPLICAS_<SERVICE>: competing consumers, default 1
    # LINLI_<SERVICE>_MONGO_URI (or LINLI_GATEWAY_MONGO_URI): that process's own store.
    mongo_uris: dict[str, str] = {}
    # One embedded store per service on the ports after mongo_uri's, unless named above.
    store_per_service: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StackSettings:
        """LINLI_<FIELD> sets a field; LINLI_<PROCESS>_METRICS_PORT one process's port;
        LINLI_REPLICAS_<SERVICE> a service's replica count; LINLI_<NAME>_MONGO_URI its store."""
        values: dict[str, object] = {}
        maps: dict[str, dict[str, object]] = {"metrics_ports": {}, "replicas": {},
                                              "mongo_uris": {}}
        for key, value in env.items():
            if not key.startswith("LINLI_"):
                continue
            name = key.removeprefix("LINLI_").lower()
            if name.endswith("_metrics_port"):
                maps["metrics_ports"][name.removesuffix("_metrics_port")] = int(value)
            elif name.startswith("replicas_"):
                maps["replicas"][name.removeprefix("replicas_")] = int(value)
            elif name.endswith("_mongo_uri"):
                maps["mongo_uris"][name.removesuffix("_mongo_uri")] = value
            else:
                values[name] = value
        return cls.model_validate(values | maps)

    def metrics_port(self, spec: ServiceSpec, replica: int = 1) -> int:
        """Replica k > 1 of a service: LINLI_<SERVICE>_<k>_METRICS_PORT, else 100 * (k - 1)
        above the first replica's port."""
        if replica == 1:
            return self.metrics_ports.get(spec.name, spec.metrics_port)
        return self.metrics_ports.get(f"{spec.name}_{replica}",
                                      self.metrics_port(spec) + 100 * (replica - 1))

    def replica_count(self, service: str) -> int:
        return max(1, self.replicas.get(service, 1))

    def store_uri(self, process: str, index: int) -> str:
        """The store `process` uses; `index` is its place in the topology (for the ports)."""
        if process in self.mongo_uris:
            return self.mongo_uris[process]
        if not self.store_per_service:
            return self.mongo_uri
        parts = urlsplit(self.mongo_uri)
        return f"mongodb://{parts.hostname or '127.0.0.1'}:{(parts.port or 27017) + 1 + index}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.gateway_host}:{self.gateway_port}"


def host_port(uri: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(uri)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def is_loopback(host: str) -> bool:
    return host in LOOPBACK
