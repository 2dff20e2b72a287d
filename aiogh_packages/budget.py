"""Where a client's pacing state lives: the ``RateBudget`` seam.

GitHub's secondary limits count per token, not per process: 900 points per minute per
REST endpoint (GET 1 point, DELETE/POST 5), and a pause asked for by a secondary or
primary rate limit applies to every request made with that token
(https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api). A
:class:`RateBudget` is the state the client's pacing needs to respect them. The default,
:class:`LocalRateBudget`, keeps it in this process; a budget shared by several processes
(:class:`RedisRateBudget` in this module, with the extra ``aiogh-packages[redis]``)
implements the same protocol, so several clean-up jobs on one token stay under the limit
together.

Times are epoch seconds from the client's ``clock``, passed in by the caller, so the
same budget works in virtual time in tests.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ._sansio.pacing import PointsBudget

__all__ = ["LocalRateBudget", "RateBudget"]


@runtime_checkable
class RateBudget(Protocol):
    """The pacing state one client (or many, when shared) spends from."""

    async def reserve(self, key: str, cost: int, now: float) -> float:
        """Spend ``cost`` points on endpoint ``key`` at ``now`` if they fit in the last 60 s.

        Returns 0.0 when the points were spent, else the seconds to wait before asking
        again (nothing is spent then).
        """
        ...

    async def pause_until(self, until: float) -> None:
        """Record that no request should be sent before epoch ``until`` (a limit was hit).

        A later ``until`` than the one recorded replaces it; an earlier one is ignored.
        """
        ...

    async def paused_until(self) -> float:
        """Epoch seconds before which no request should be sent; 0.0 when there is no pause."""
        ...


class LocalRateBudget:
    """The in-process budget: a sliding one-minute window per endpoint and a pause time.

    Args:
        points_per_minute: points allowed per endpoint in any 60 s (GitHub's is 900).
    """

    def __init__(self, points_per_minute: int = 900) -> None:
        self._points = PointsBudget(points_per_minute)
        self._paused_until = 0.0

    @property
    def points_per_minute(self) -> int:
        """Points allowed per endpoint in any 60 s window."""
        return self._points.points_per_minute

    def __repr__(self) -> str:
        return f"LocalRateBudget(points_per_minute={self.points_per_minute})"

    async def reserve(self, key: str, cost: int, now: float) -> float:
        """See :meth:`RateBudget.reserve`."""
        return self._points.reserve(key, cost, now)

    async def pause_until(self, until: float) -> None:
        """See :meth:`RateBudget.pause_until`."""
        self._paused_until = max(self._paused_until, until)

    async def paused_until(self) -> float:
        """See :meth:`RateBudget.paused_until`."""
        return self._paused_until
