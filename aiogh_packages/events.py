"""Retry and wait events, for hooks that export metrics, and the injectable clock and sleep.

The client logs each event on the ``aiogh_packages`` logger and passes it to the hooks
given as ``on_retry``/``on_wait``. URLs in events have secrets redacted; the token is
never part of an event.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Literal, Protocol

import msgspec

__all__ = ["Clock", "RetryEvent", "RetryHook", "Sleep", "WaitEvent", "WaitHook", "WaitReason"]


class RetryEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A request is about to be sent again after a transient fault."""

    method: str
    url: str
    attempt: int
    delay_s: float
    reason: str


WaitReason = Literal[
    "primary-rate-limit",
    "secondary-rate-limit",
    "rate-limit-pause",
    "points-budget",
    "write-interval",
]
"""Why a request was held back. ``rate-limit-pause``: a limit that this or another client
sharing the :class:`~aiogh_packages.RateBudget` hit asks every request to hold back."""


class WaitEvent(msgspec.Struct, frozen=True, kw_only=True):
    """The client is holding a request back: a rate limit or its own pacing."""

    method: str
    url: str
    delay_s: float
    reason: WaitReason


class RetryHook(Protocol):
    """Called with each :class:`RetryEvent`; must not block."""

    def __call__(self, event: RetryEvent, /) -> None: ...


class WaitHook(Protocol):
    """Called with each :class:`WaitEvent`; must not block."""

    def __call__(self, event: WaitEvent, /) -> None: ...


class Sleep(Protocol):
    """An awaitable sleep, ``asyncio.sleep`` by default; tests pass a fake."""

    def __call__(self, seconds: float, /) -> Awaitable[None]: ...


class Clock(Protocol):
    """The current UTC time in epoch seconds, ``time.time`` by default."""

    def __call__(self) -> float: ...
