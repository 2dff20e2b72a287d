"""GitHub's secondary rate limits for the fake server: points per endpoint, content, concurrency.

Figures (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api
#about-secondary-rate-limits; shared github-behaviour notes, section 4):

* no more than 900 points per minute per REST endpoint, a ``GET``/``HEAD``/``OPTIONS``
  costing 1 point and a ``POST``/``PATCH``/``PUT``/``DELETE`` 5;
* no more than 80 content-generating requests per minute (here: every mutating request);
* no more than 100 concurrent requests.

A refused request gets 403 (points, content; the status GitHub was seen sending,
pl-strflt/projects-migration#2) or 429 (concurrency), a ``Retry-After`` in seconds and a
message matching ``secondary rate`` (what octokit's throttling plugin looks for). Refused
requests cost nothing. Counts are per caller over a sliding minute of the injected clock, so
tests can move time instead of waiting. Pure bookkeeping: no I/O, thread-safe.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "CONCURRENCY_LIMIT",
    "CONTENT_PER_MINUTE",
    "POINTS_PER_MINUTE",
    "LimitHit",
    "SecondaryLimiter",
    "points_of",
]

POINTS_PER_MINUTE = 900
CONTENT_PER_MINUTE = 80
CONCURRENCY_LIMIT = 100
_MINUTE = 60.0
_MUTATING = ("POST", "PATCH", "PUT", "DELETE")
DOCS = (
    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)
_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
_CONTENT_MESSAGE = (
    "You have exceeded a secondary rate limit and have been temporarily blocked from "
    "content creation. Please retry your request again later."
)


def points_of(method: str) -> int:
    """The points a request costs: 5 for a mutating method, 1 otherwise."""
    return 5 if method.upper() in _MUTATING else 1


@dataclass(frozen=True)
class LimitHit:
    """A secondary-limit answer: status, ``Retry-After`` seconds and GitHub's message."""

    status: int
    retry_after_s: int
    message: str
    documentation_url: str = DOCS


class _Window:
    """(time, weight) entries of the last minute."""

    def __init__(self) -> None:
        self.entries: deque[tuple[float, int]] = deque()

    def total(self, now: float) -> int:
        while self.entries and self.entries[0][0] <= now - _MINUTE:
            self.entries.popleft()
        return sum(weight for _, weight in self.entries)

    def wait_for(self, room: int, limit: int, now: float) -> int:
        """Seconds until ``room`` more fits under ``limit`` (at least 1)."""
        total = self.total(now)
        for at, weight in self.entries:
            total -= weight
            if total + room <= limit:
                return max(1, math.ceil(at + _MINUTE - now))
        return 60


class SecondaryLimiter:
    """Decides whether a request passes the secondary limits, and counts it when it does."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._points: dict[tuple[str, str], _Window] = {}
        self._content: dict[str, _Window] = {}
        self._running: dict[str, int] = {}

    def admit(self, caller: str, method: str, endpoint: str) -> LimitHit | None:
        """Count the request of ``caller`` to ``endpoint``, or say why it is refused."""
        cost, now = points_of(method), self._clock()
        with self._lock:
            points = self._points.setdefault((caller, endpoint), _Window())
            if points.total(now) + cost > POINTS_PER_MINUTE:
                wait = points.wait_for(cost, POINTS_PER_MINUTE, now)
                return LimitHit(403, wait, _MESSAGE)
            content = self._content.setdefault(caller, _Window())
            mutating = method.upper() in _MUTATING
            if mutating and content.total(now) + 1 > CONTENT_PER_MINUTE:
                wait = content.wait_for(1, CONTENT_PER_MINUTE, now)
                return LimitHit(403, wait, _CONTENT_MESSAGE)
            points.entries.append((now, cost))
            if mutating:
                content.entries.append((now, 1))
        return None

    def enter(self, caller: str) -> LimitHit | None:
        """Start one request of ``caller``; refused (429) beyond 100 at once."""
        with self._lock:
            running = self._running.get(caller, 0)
            if running >= CONCURRENCY_LIMIT:
                return LimitHit(429, 1, _MESSAGE)
            self._running[caller] = running + 1
        return None

    def leave(self, caller: str) -> None:
        """End a request that :meth:`enter` admitted."""
        with self._lock:
            self._running[caller] -= 1

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self._points.clear()
            self._content.clear()
