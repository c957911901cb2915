"""Event and RPC payload models: each contract is defined once, here.

Service-specific payloads live in one module per producing service
(`contracts/intake.py`, `contracts/dispatch.py`, ...) and register their event
types with `event_payload`, so an envelope is validated against its payload model
when it is published and again when it is consumed. `registry.py` imports every one
of those modules when this package is imported: no consumer imports a producer's
contracts just to know its event types.
"""

from services.common.contracts.envelope import Actor, Envelope, event_payload, new_event
from services.common.contracts.registry import MODULES  # noqa: F401  (registers every type)

__all__ = ["Actor", "Envelope", "event_payload", "new_event"]
