"""A nameko timer whose interval is LINLI_SCHEDULER_POLL_SECONDS (read at container setup):
what every service's durable deadlines poll with (deadlines are data; the timer claims
each due one with a conditional commit, so replicas and restarts fire each once)."""

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
