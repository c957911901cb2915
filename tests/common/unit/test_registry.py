"""Every event type is known wherever an envelope is read, from one registry."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import services.common.contracts as contracts
from services.common.contracts.registry import MODULES


def _declares_events(module) -> bool:  # noqa: ANN001
    return any(isinstance(c, type) and c.__module__ == module.__name__
               and hasattr(c, "event_type") for c in vars(module).values())


def test_the_registry_lists_every_contract_module_that_declares_events():
    """A module of the package with event payloads (e.g. a new service's) must be listed;
    helper modules (field types, the envelope) need not be."""
    modules = [importlib.import_module(f"{contracts.__name__}.{m.name}")
               for m in pkgutil.iter_modules(contracts.__path__)]
    with_events = {m.__name__ for m in modules if _declares_events(m)}
    assert with_events <= {m.__name__ for m in MODULES}
    assert {"services.common.contracts.intake", "services.common.contracts.dispatch",
            "services.common.contracts.identity"} <= with_events


def test_a_process_that_imports_only_the_envelope_knows_every_event_type():
    """A consumer never imports a producer's contracts to parse its events."""
    probe = ("from services.common.contracts.envelope import _PAYLOADS; "
             "print(' '.join(sorted(_PAYLOADS)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    declared = {f"{c.event_type}@{c.event_version}" for m in MODULES for c in vars(m).values()
                if isinstance(c, type) and c.__module__ == m.__name__ and hasattr(c, "event_type")}
    assert set(out) == declared
    assert {"issue.triaged@1", "order.created@1", "community.created@1"} <= set(out)
