"""Time comes from a clock object so tests can move it; always aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def iso(self) -> str:
        return to_iso(self.now())


class FrozenClock(Clock):
    """A clock that stands still until moved; for tests and previews (``--at``)."""

    def __init__(self, at: datetime) -> None:
        self.at = ensure_utc(at)

    def now(self) -> datetime:
        return self.at

    def move(self, **delta: float) -> None:
        self.at += timedelta(**delta)


class ShiftedClock(Clock):
    """Real time moved ahead by an offset that only grows (``python -m bot try``'s ``/time``)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move(self, delta: timedelta) -> None:
        if delta.total_seconds() < 0:
            raise ValueError("the clock only moves forward")
        self.offset += delta


def ensure_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: times must carry a time zone")
    return value.astimezone(UTC)


def to_iso(value: datetime) -> str:
    return ensure_utc(value).isoformat(timespec="seconds")


def from_iso(value: str) -> datetime:
    return ensure_utc(datetime.fromisoformat(value))
