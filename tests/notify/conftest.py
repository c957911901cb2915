"""One platform (identity + intake + notify, real broker and store) for the package, with
notify's webhook pointed at a real local receiver; dispatch's, points' and deliberation's
events are published on the broker as those services publish them (their emitting is
tested in their own packages: tests/deliberation/unit/test_vote_opened.py, ...)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notify.helpers import SECRET, Receiver
from tests.platform import Platform, shared_platform


@pytest.fixture(scope="package")
def receiver() -> Iterator[Receiver]:
    running = Receiver(fail_first=2)
    yield running
    running.close()


@pytest.fixture(scope="package")
def nplatform(request, vhost_pipeline, store_uri, receiver) -> Iterator[Platform]:
    with shared_platform(request, vhost_pipeline, store_uri) as running:
        from services.intake.service import IntakeService
        from services.notify.service import NotifyService

        running.config["LINLI"] |= {"notify_webhook_url": receiver.url,
                                    "notify_webhook_secret": SECRET,
                                    "notify_retry_base_seconds": 0.2,
                                    "notify_webhook_timeout_seconds": 2.0,
                                    "notify_report_in_lead_seconds": 3600.0}
        running.start(IntakeService, NotifyService)
        running.tenancy()
        yield running
