"""A clock and sleep for the client that jump over waits, so hour-long paced runs take seconds.

``VirtualTime(real=False)``: time moves only when the client sleeps (pure virtual time: the
requests themselves take no time). ``VirtualTime(real=True)``: time is the real elapsed
time plus every wait skipped, so request latency counts and only the budget's waits are
jumped over. A sleep moves the clock forward by its length at once. Tasks take turns, so
one task's jump moves time for all of them: a task that would have woken sooner sees the
later time. The measured time can only come out longer than a real run's, never shorter.

``marks`` records, at every jump, the new time and a caller-supplied count (the number of
requests the fake server has logged), which turns the server's request log into arrival
times: the requests logged between two marks arrived at the first mark's time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["VirtualTime", "arrival_times", "worst_window"]

ORIGIN = 1_800_000_000.0  # an epoch in 2027, far from the real clock


class VirtualTime:
    """The client's ``clock`` (call it) and ``sleep`` (await :meth:`sleep`)."""

    def __init__(self, *, real: bool, count: Callable[[], int] | None = None) -> None:
        self._real = real
        self._start = time.perf_counter()
        self._count = count
        self.skipped = 0.0
        self.marks: list[tuple[float, int]] = [(ORIGIN, 0)]

    def __call__(self) -> float:
        real = time.perf_counter() - self._start if self._real else 0.0
        return ORIGIN + real + self.skipped

    def elapsed(self) -> float:
        """Seconds of (virtual) time since the start."""
        return self() - ORIGIN

    async def sleep(self, seconds: float) -> None:
        """Jump to ``now + seconds`` (no real wait), then let other tasks run."""
        if seconds > 0:
            self.skipped += seconds
            if self._count is not None:
                self.marks.append((self(), self._count()))
        await asyncio.sleep(0)


def arrival_times(marks: list[tuple[float, int]], total: int) -> list[float]:
    """The virtual arrival time of each of ``total`` logged requests, from ``marks``."""
    times: list[float] = []
    for (at, start), (_, end) in zip(marks, [*marks[1:], (0.0, total)], strict=True):
        times += [at] * (end - start)
    return times


def worst_window(stamps: list[tuple[float, int]], window_s: float = 60.0) -> int:
    """The most points spent in any ``window_s`` (half-open) among ``(time, points)`` spends."""
    ordered = sorted(stamps)
    worst = total = left = 0
    for at, points in ordered:
        total += points
        while ordered[left][0] <= at - window_s:
            total -= ordered[left][1]
            left += 1
        worst = max(worst, total)
    return worst
