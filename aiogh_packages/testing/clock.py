"""``ManualClock``: a server clock that moves only when told, for tests in virtual time."""

from __future__ import annotations

import threading

__all__ = ["ManualClock"]


class ManualClock:
    """Epoch seconds that change only through :meth:`advance` (thread-safe).

    Pass it as ``FakeGitHub(clock=...)``: rate-limit windows, secondary limits, ``deleted_at``
    and the 30-day restore window then follow it, so a test moves a minute or a month in no
    time.
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._lock = threading.Lock()
        self._now = float(start)

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward (never back)."""
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds}")
        with self._lock:
            self._now += seconds

    def __repr__(self) -> str:
        return f"ManualClock({self():.0f})"
