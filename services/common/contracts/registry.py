"""Every contract module, imported in one place: whoever reads an envelope knows every
event type, whether or not it imported the producer's module itself.

The package (`services/common/contracts/__init__.py`) imports this module, so importing
anything from `services.common.contracts` registers every payload model. A new
service's contract module is one more line here (tests/common/unit/test_registry.py
fails until it is).
"""

from __future__ import annotations

from types import ModuleType

from services.common.contracts import (
    audit,
    care,
    deliberation,
    dispatch,
    evaluation,
    identity,
    incubation,
    intake,
    mediation,
    notify,
    points,
    volunteers,
    workflow,
)

MODULES: tuple[ModuleType, ...] = (dispatch, identity, intake, points, workflow, volunteers,
                                   evaluation, deliberation, mediation,
                                   notify,
                                   audit, care,
                                   incubation)
