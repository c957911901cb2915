"""The one list of processes that make up the platform.

The stack script, docker-compose.yml, deploy/prometheus.yml and the end-to-end
fixtures all read it: adding a service is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str  # `nameko run <module:Class>` (the class named: nameko would probe every member)
    metrics_port: int  # local-stack default; LINLI_<NAME>_METRICS_PORT overrides


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("identity", "services.identity.service:IdentityService", 9101),
    ServiceSpec("intake", "services.intake.service:IntakeService", 9102),
    ServiceSpec("dispatch", "services.dispatch.service:DispatchService", 9103),
    ServiceSpec("points", "services.points.service:PointsService", 9104),
    ServiceSpec("evaluation", "services.evaluation.service:EvaluationService", 9105),
    ServiceSpec("volunteers", "services.volunteers.service:VolunteersService", 9106),
    ServiceSpec("deliberation", "services.deliberation.service:DeliberationService", 9107),
    ServiceSpec("mediation", "services.mediation.service:MediationService", 9109),
    ServiceSpec("notify", "services.notify.service:NotifyService", 9108),
    ServiceSpec("audit", "services.audit.service:AuditService", 9110),
    ServiceSpec("care", "services.care.service:CareService", 9111),
    ServiceSpec("incubation", "services.incubation.service:IncubationService", 9112),
)

GATEWAY_PORT = 8000  # LINLI_GATEWAY_PORT overrides; the gateway serves /metrics itself
