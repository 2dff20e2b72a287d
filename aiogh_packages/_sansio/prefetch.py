"""The prefetch window of a listing: how many page fetches it keeps in flight.

Does no I/O and reads no clock. The listing asks :meth:`PrefetchWindow.asked` each time
its consumer wants the next page, saying whether that page had already arrived, and
keeps as many fetches in flight as the answer says.

How this works
--------------
A page that is not ready when it is wanted means the consumer is waiting on the network:
more pages in flight would have hidden that wait, so the window doubles (up to
``limit``, the client's ``max_concurrency``). A run of pages that were all ready before
they were wanted, as many as the window holds, means the window has slack: it narrows by
one. Doubling up and stepping down finds a high-latency listing's width within a few
pages and then holds it (every round trip brings one wait, which keeps it wide), while on
a fast link the window settles at one or two pages, where extra requests in flight only
cost CPU and memory. A fixed window (``prefetch_window=N``) never changes.
"""

from __future__ import annotations

__all__ = ["ADAPTIVE_START", "PrefetchWindow"]

ADAPTIVE_START = 2
"""The adaptive window's first width: one page in use and one on the way."""


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
        self._ready_run = 0  # pages in a row that were ready when asked for

    def __repr__(self) -> str:
        kind = "adaptive" if self.adaptive else "fixed"
        return f"PrefetchWindow(size={self.size}, limit={self.limit}, {kind})"

    def asked(self, ready: bool) -> int:
        """The window after the consumer asked for a page that was (or was not) ``ready``."""
        if not self.adaptive:
            return self.size
        if not ready:
            self._ready_run = 0
            self.size = min(self.limit, self.size * 2)
            return self.size
        self._ready_run += 1
        if self._ready_run >= self.size and self.size > 1:
            self._ready_run = 0
            self.size -= 1
        return self.size
