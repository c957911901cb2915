"""Faults injected on an isolated stack, in turn: SIGKILL a process and start it again after a
pause, or cut every AMQP connection of the stack's vhost. Each outage is a recorded window."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from bench.isolated import Vhost
from deploy.local_stack import Stack

BROKER_CUT = "broker-connections"


@dataclass
class Outage:
    target: str
    began: float
    ended: float | None = None
    error: str = ""


@dataclass
class FaultLoop:
    stack: Stack
    vhost: Vhost
    targets: list[str]
    every: float = 20.0  # seconds between the end of one fault and the next
    down_for: float = 5.0  # how long a killed process stays down
    outages: list[Outage] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def down_at(self, when: float) -> str | None:
        """The target that was down at `when`, if any."""
        for o in self.outages:
            if o.began <= when <= (o.ended or time.time()):
                return o.target
        return None

    def _run(self) -> None:
        k = 0
        while not self._stop.wait(self.every):
            target = self.targets[k % len(self.targets)]
            k += 1
            outage = Outage(target, time.time())
            self.outages.append(outage)
            try:
                if target == BROKER_CUT:
                    outage.error = f"closed {self.vhost.close_connections()} connections"
                else:
                    self.stack.kill_service(target)
                    self._stop.wait(self.down_for)
                    self.stack.start_service(target)  # waits until it is healthy (bounded)
            except Exception as exc:  # noqa: BLE001 - record it and keep going
                outage.error = repr(exc)[:300]
            outage.ended = time.time()
