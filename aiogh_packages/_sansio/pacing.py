"""Client-side budgets that keep a client under GitHub's secondary rate limits.

Does no I/O and reads no clock: every call takes ``now`` (seconds, any monotonic origin)
and answers how long to wait before sending. Figures from
https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api: no more
than 900 points per minute per REST endpoint, where a GET/HEAD/OPTIONS costs 1 point and
a POST/PATCH/PUT/DELETE costs 5; and, from the best-practices page, at least one second
between mutating requests.
"""

from __future__ import annotations

from collections import deque

__all__ = ["PointsBudget", "WriteSpacer", "is_write", "points_for"]

WINDOW_S = 60.0
_CHEAP = frozenset({"GET", "HEAD", "OPTIONS"})


def points_for(method: str) -> int:
    """GitHub's published point cost of one request with ``method``."""
    return 1 if method.upper() in _CHEAP else 5


def is_write(method: str) -> bool:
    """Whether ``method`` mutates (and so is spaced by :class:`WriteSpacer`)."""
    return method.upper() not in _CHEAP


class PointsBudget:
    """A sliding one-minute window of points spent per endpoint key.

    ``reserve`` either records the spend and returns 0, or returns how long to wait until
    enough of the window has expired; the caller waits and asks again.
    """

    def __init__(self, points_per_minute: int) -> None:
        if points_per_minute < 5:
            raise ValueError(f"points_per_minute must be at least 5, got {points_per_minute}")
        self.points_per_minute = points_per_minute
        self._spent: dict[str, deque[tuple[float, int]]] = {}
        self._totals: dict[str, int] = {}  # the points in each window, kept as it changes

    def used(self, key: str, now: float) -> int:
        """Points spent on ``key`` within the minute before ``now``."""
        self._expire(key, now)
        return self._totals[key]

    def reserve(self, key: str, cost: int, now: float) -> float:
        """Spend ``cost`` points on ``key`` at ``now`` if they fit; else the seconds to wait."""
        window = self._expire(key, now)
        total = self._totals[key]
        if total + cost <= self.points_per_minute:
            window.append((now, cost))
            self._totals[key] = total + cost
            return 0.0
        excess = total + cost - self.points_per_minute
        for stamp, spent in window:
            excess -= spent
            if excess <= 0:
                return max(stamp + WINDOW_S - now, 0.0) + 1e-3
        return WINDOW_S  # pragma: no cover - cost never exceeds the budget (checked above)

    def _expire(self, key: str, now: float) -> deque[tuple[float, int]]:
        window = self._spent.get(key)
        if window is None:
            window = self._spent[key] = deque()
            self._totals[key] = 0
        while window and window[0][0] <= now - WINDOW_S:
            self._totals[key] -= window.popleft()[1]
        return window


class WriteSpacer:
    """Hands out send times for mutating requests at least ``interval_s`` apart."""

    def __init__(self, interval_s: float) -> None:
        if interval_s < 0:
            raise ValueError(f"write_interval must be >= 0 seconds, got {interval_s}")
        self.interval_s = interval_s
        self._next_at: float | None = None

    def wait_s(self, now: float) -> float:
        """Seconds from ``now`` until the next free slot, claiming nothing."""
        return 0.0 if self._next_at is None else max(self._next_at - now, 0.0)

    def reserve(self, now: float) -> float:
        """Claim the next free slot; returns the seconds to wait until it."""
        slot = now if self._next_at is None else max(now, self._next_at)
        self._next_at = slot + self.interval_s
        return slot - now
