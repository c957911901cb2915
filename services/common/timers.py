"""The durable-deadline poll: a nameko timer whose interval is LINLI_SCHEDULER_POLL_SECONDS.

Deadlines are data on the documents (an indexed epoch float); each poll claims the due
ones with version-conditioned commits, so each fires once across replicas and restarts.
(Every service's one timer class; dispatch's scheduler uses it too.)
"""

from __future__ import annotations

from typing import Any

from nameko.timer import Timer

from services.common.config import settings_from_nameko


class PollTimer(Timer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(interval=1.0, **kwargs)

    def setup(self) -> None:
        self.interval = settings_from_nameko(self.container.config).scheduler_poll_seconds


poll_timer = PollTimer.decorator
