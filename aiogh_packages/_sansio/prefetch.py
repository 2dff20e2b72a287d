"""The prefetch window of a listing: how many page fetches it keeps in flight.

Does no I/O and reads no clock. The listing asks :meth:`PrefetchWindow.asked` each time
its consumer wants the next page, saying whether that page had already arrived, and
keeps as many fetches in flight as the answer says.

How this works
--------------
A page that is not ready when it is wanted means the consumer is waiting. If the last
such wait was spent on the network (the process mostly idle while it lasted), more pages
in flight would have hidden it, so the window doubles (up to ``limit``, the client's
``max_concurrency``). If it was spent on this process's own CPU (decoding the pages that
arrived, as on a fast loopback link), more requests in flight would only add work, so
the wait counts as slack instead. A run of slack (pages ready before they were wanted, or
CPU-bound waits), as long as the window is wide, narrows it by one. Doubling up and
stepping down finds a high-latency listing's width within a few pages and then holds it
(every round trip brings one network wait), while on a fast link the window settles at
one or two pages. A fixed window (``prefetch_window=N``) never changes.
"""

from __future__ import annotations

__all__ = ["ADAPTIVE_START", "NETWORK_IDLE_SHARE", "PrefetchWindow"]

ADAPTIVE_START = 2
"""The adaptive window's first width: one page in use and one on the way."""

NETWORK_IDLE_SHARE = 0.5
"""A wait during which the process used less CPU than this share of it was on the network."""


class PrefetchWindow:
    """The number of page fetches a listing keeps in flight, adapted to how the consumer waits."""

    def __init__(self, limit: int, *, adaptive: bool = True) -> None:
        """A window of at most ``limit`` pages.

        Args:
            limit: the widest the window gets (adaptive), or its fixed width.
            adaptive: False keeps the window at ``limit`` whatever happens.

        Raises:
            ValueError: ``limit`` is not a positive int.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"the prefetch limit must be a positive int, got {limit!r}")
        self.limit = limit
        self.adaptive = adaptive
        self.size = min(ADAPTIVE_START, limit) if adaptive else limit
        self._ready_run = 0  # asks in a row that showed slack
        self._network_bound = True  # how the last wait was spent; a listing starts waiting on it

    def __repr__(self) -> str:
        kind = "adaptive" if self.adaptive else "fixed"
        return f"PrefetchWindow(size={self.size}, limit={self.limit}, {kind})"

    def asked(self, ready: bool) -> int:
        """The window after the consumer asked for a page that was (or was not) ``ready``."""
        if not self.adaptive:
            return self.size
        if not ready and self._network_bound:
            self._ready_run = 0
            self.size = min(self.limit, self.size * 2)
            return self.size
        self._ready_run += 1
        if self._ready_run >= self.size and self.size > 1:
            self._ready_run = 0
            self.size -= 1
        return self.size

    def waited(self, wall_s: float, cpu_s: float) -> None:
        """Record how a wait for a page that was not ready went: its length and this process's CPU.

        Args:
            wall_s: how long the consumer waited, in seconds.
            cpu_s: the CPU time this process used meanwhile, in seconds.
        """
        self._network_bound = cpu_s < NETWORK_IDLE_SHARE * wall_s
