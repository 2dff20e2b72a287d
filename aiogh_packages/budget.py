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

import hashlib
import math
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ._sansio.pacing import WINDOW_S, PointsBudget

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["LocalRateBudget", "RateBudget", "RedisRateBudget"]


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


# -- the budget shared through Redis ---------------------------------------------------
#
# How this works: each endpoint key is one sorted set whose members are spends
# ("<stamp>:<cost>:<n>", scored by the caller's ``now``; n, from a counter, keeps equal
# spends apart). One Lua script, run atomically by Redis, counts the points in the window
# around ``now`` and either adds the spend or answers the wait, so processes cannot
# interleave between the check and the spend.
# Callers' clocks may be a little out of step (several hosts, or a process that read its
# clock just before another's script ran), so the window counted is (now - 60, now + 60):
# in step it is exactly the last minute (nothing lies ahead), and out of step no 60 s
# window around ``now`` can go over. Entries are dropped only 120 s behind the newest one.
# https://redis.io/docs/latest/develop/interact/programmability/eval-intro/

_RESERVE_LUA = """
local now, cost = tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, window = tonumber(ARGV[3]), tonumber(ARGV[4])
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local top = now
if newest[2] and tonumber(newest[2]) > top then top = tonumber(newest[2]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', top - 2 * window)
local spends = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window),
  '(' .. (now + window), 'WITHSCORES')
local costs, total = {}, 0
for i = 1, #spends, 2 do
  costs[i] = tonumber(string.match(spends[i], ':(%d+):'))
  total = total + costs[i]
end
if total + cost <= limit then
  local n = redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], math.ceil(3 * window))
  redis.call('ZADD', KEYS[1], now, string.format('%.17g:%d:%d', now, cost, n))
  redis.call('EXPIRE', KEYS[1], math.ceil(3 * window))
  return '0'
end
local excess = total + cost - limit
for i = 1, #spends, 2 do
  excess = excess - costs[i]
  if excess <= 0 then
    return string.format('%.17g', math.max(tonumber(spends[i + 1]) + window - now, 0) + 1e-3)
  end
end
return string.format('%.17g', window)
"""

_PAUSE_LUA = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""

_PAUSE_TTL_S = 3600  # GitHub's primary limit resets within the hour; a pause never outlives it


def token_fingerprint(token: str) -> str:
    """A short, one-way name for ``token``: 16 hex digits of a domain-separated SHA-256.

    Budget keys carry this, never the token, so whoever can read Redis cannot read tokens.
    """
    if not isinstance(token, str) or not token:
        raise TypeError("token must be a non-empty str (the token whose budget is shared)")
    return hashlib.sha256(b"aiogh-packages rate budget\0" + token.encode()).hexdigest()[:16]


def _check_config(points_per_minute: object, prefix: object) -> None:
    if isinstance(points_per_minute, bool) or not isinstance(points_per_minute, int):
        raise TypeError(f"points_per_minute must be an int, got {points_per_minute!r}")
    if points_per_minute < 5:
        raise ValueError(f"points_per_minute must be at least 5, got {points_per_minute}")
    if not isinstance(prefix, str) or not prefix:
        raise ValueError(f"prefix must be a non-empty str, got {prefix!r}")


class RedisRateBudget:
    """A :class:`RateBudget` kept in Redis, shared by every process using one token.

    Needs the extra ``aiogh-packages[redis]`` (redis-py's asyncio client). Keys are
    ``{prefix}:{fingerprint}:points:{endpoint}`` and ``{prefix}:{fingerprint}:pause``,
    the fingerprint being a truncated SHA-256 of the token (:func:`token_fingerprint`).

    Args:
        redis: a ``redis.asyncio.Redis`` client; the budget closes it in :meth:`aclose`
            only when ``owns_client`` is true (as with :meth:`from_url`).
        token: the GitHub token whose budget this is (only its fingerprint is kept).
        points_per_minute: points allowed per endpoint in any 60 s (GitHub's is 900).
        prefix: the first part of every key, to keep several applications apart.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        token: str,
        points_per_minute: int = 900,
        prefix: str = "aiogh-packages",
        owns_client: bool = False,
    ) -> None:
        _check_config(points_per_minute, prefix)
        self._redis = redis
        self._owns = owns_client
        self.points_per_minute = points_per_minute
        self.fingerprint = token_fingerprint(token)
        self._ns = f"{prefix}:{self.fingerprint}"
        self._reserve = redis.register_script(_RESERVE_LUA)
        self._pause = redis.register_script(_PAUSE_LUA)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        token: str,
        points_per_minute: int = 900,
        prefix: str = "aiogh-packages",
    ) -> RedisRateBudget:
        """Connect to Redis at ``url`` (``redis://HOST:PORT/DB``); :meth:`aclose` disconnects.

        Raises:
            ImportError: redis-py is not installed (``pip install 'aiogh-packages[redis]'``).
            ValueError: ``url`` is not a redis:// or rediss:// URL.
        """
        if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"url must be a redis://HOST:PORT/DB URL, got {url!r}")
        _check_config(points_per_minute, prefix)
        token_fingerprint(token)
        try:
            import redis.asyncio
        except ImportError as exc:
            raise ImportError(
                "RedisRateBudget needs redis-py: pip install 'aiogh-packages[redis]'"
            ) from exc
        client = redis.asyncio.Redis.from_url(url)
        return cls(
            client, token=token, points_per_minute=points_per_minute, prefix=prefix,
            owns_client=True,
        )  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"RedisRateBudget(namespace={self._ns!r}, points_per_minute={self.points_per_minute})"
        )

    def points_key(self, key: str) -> str:
        """The Redis key holding the spends on endpoint ``key``."""
        return f"{self._ns}:points:{key}"

    @property
    def pause_key(self) -> str:
        """The Redis key holding the shared pause."""
        return f"{self._ns}:pause"

    async def reserve(self, key: str, cost: int, now: float) -> float:
        """See :meth:`RateBudget.reserve`; atomic across every process sharing the budget."""
        if not math.isfinite(now):
            raise ValueError(f"now must be finite epoch seconds, got {now!r}")
        if not 0 < cost <= self.points_per_minute:
            raise ValueError(f"cost must be 1..{self.points_per_minute} points, got {cost}")
        answer = await self._reserve(
            keys=[self.points_key(key), f"{self._ns}:seq"],
            args=[repr(float(now)), cost, self.points_per_minute, WINDOW_S],
        )
        return float(answer)

    async def pause_until(self, until: float) -> None:
        """See :meth:`RateBudget.pause_until`; every process sharing the budget sees it."""
        await self._pause(keys=[self.pause_key], args=[repr(float(until)), _PAUSE_TTL_S])

    async def paused_until(self) -> float:
        """See :meth:`RateBudget.paused_until`."""
        value = await self._redis.get(self.pause_key)
        return 0.0 if value is None else float(value)

    async def aclose(self) -> None:
        """Close the Redis connection if this budget opened it (:meth:`from_url`)."""
        if self._owns:
            await self._redis.aclose()
