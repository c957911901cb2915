from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from services.common.store import Instant, as_utc

T0 = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


def test_a_datetime_the_store_kept_as_text_reads_back_as_utc():
    assert Instant().to_python("2024-03-01 08:30:00") == T0
    assert Instant().to_python("2024-03-01 08:30:00").tzinfo is not None


def test_naive_and_offset_datetimes_read_back_as_the_same_instant():
    assert as_utc(datetime(2024, 3, 1, 8, 30)) == T0
    beijing = T0.astimezone(timezone(timedelta(hours=8)))
    assert Instant().to_python(beijing) == T0
    assert as_utc(None) is None
