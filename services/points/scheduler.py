"""The points timers: redemption deadlines (expiry, recovery) and the posting sweeper.

Both are ranges on one indexed epoch float with a limit (`next_due_ts`, `open_ts`), each
item claimed by a conditional write, so any number of replicas fire each once.
"""

from __future__ import annotations

from typing import Any

from nameko.timer import Timer

from services.common.config import settings_from_nameko


class PollTimer(Timer):
    """A nameko timer whose interval is LINLI_SCHEDULER_POLL_SECONDS (read at setup)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(interval=1.0, **kwargs)

    def setup(self) -> None:
        self.interval = settings_from_nameko(self.container.config).scheduler_poll_seconds


poll_timer = PollTimer.decorator
