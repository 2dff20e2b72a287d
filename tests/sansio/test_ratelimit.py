"""Reading primary rate-limit headers."""

from __future__ import annotations

from datetime import datetime, timezone

from aiogh_packages._sansio.ratelimit import RateLimit

HEADERS = {
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4969",
    "x-ratelimit-reset": "1723026261",
    "x-ratelimit-used": "31",
    "x-ratelimit-resource": "core",
}


def test_from_headers_reads_every_field() -> None:
    """All five x-ratelimit headers land in the value."""
    rl = RateLimit.from_headers(HEADERS)
    assert rl == RateLimit(limit=5000, remaining=4969, used=31, reset_epoch=1723026261)
    assert rl is not None
    assert rl.reset_at == datetime(2024, 8, 7, 10, 24, 21, tzinfo=timezone.utc)


def test_from_headers_returns_none_without_headers() -> None:
    """A response without rate-limit headers (GHES default) gives None."""
    assert RateLimit.from_headers({}) is None
    assert RateLimit.from_headers({**HEADERS, "x-ratelimit-limit": "many"}) is None


def test_missing_used_and_resource_are_derived() -> None:
    """``used`` falls back to limit - remaining, ``resource`` to core."""
    headers = {
        k: v for k, v in HEADERS.items() if k not in ("x-ratelimit-used", "x-ratelimit-resource")
    }
    rl = RateLimit.from_headers(headers)
    assert rl is not None
    assert (rl.used, rl.resource) == (31, "core")


def test_exhaustion_and_seconds_until_reset() -> None:
    """A window with nothing left is exhausted until its reset, and the wait never goes negative."""
    rl = RateLimit(limit=60, remaining=0, used=60, reset_epoch=1000)
    assert rl.is_exhausted(990.0)
    assert rl.seconds_until_reset(990.0) == 10.0
    assert not rl.is_exhausted(1000.0)
    assert rl.seconds_until_reset(1005.0) == 0.0
    assert not RateLimit(limit=60, remaining=1, used=59, reset_epoch=1000).is_exhausted(990.0)


def test_newer_than_prefers_later_window_then_fewer_remaining() -> None:
    """Out-of-order readings never move the state backwards."""
    a = RateLimit(limit=5000, remaining=10, used=4990, reset_epoch=1000)
    b = RateLimit(limit=5000, remaining=9, used=4991, reset_epoch=1000)
    c = RateLimit(limit=5000, remaining=4999, used=1, reset_epoch=4600)
    assert a.newer_than(None)
    assert b.newer_than(a)
    assert not a.newer_than(b)
    assert c.newer_than(b)
    assert not b.newer_than(c)
    other = RateLimit(limit=30, remaining=30, used=0, reset_epoch=10, resource="search")
    assert other.newer_than(c)
