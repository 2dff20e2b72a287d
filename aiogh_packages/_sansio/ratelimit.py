"""The primary rate-limit state GitHub reports in ``x-ratelimit-*`` headers.

Does no I/O and reads no clock: "now" is always an argument.
Headers: https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone

import msgspec

__all__ = ["RateLimit"]


class RateLimit(msgspec.Struct, frozen=True, kw_only=True):
    """One response's view of the primary rate limit.

    Attributes:
        limit: requests allowed in the window (``x-ratelimit-limit``).
        remaining: requests left (``x-ratelimit-remaining``).
        used: requests made (``x-ratelimit-used``).
        reset_epoch: when the window resets, UTC epoch seconds (``x-ratelimit-reset``).
        resource: the bucket counted against, e.g. ``core`` (``x-ratelimit-resource``).
    """

    limit: int
    remaining: int
    used: int
    reset_epoch: int
    resource: str = "core"

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit | None:
        """Read the state from response headers; None when they are absent or malformed."""
        try:
            limit = int(headers["x-ratelimit-limit"])
            remaining = int(headers["x-ratelimit-remaining"])
            reset = int(headers["x-ratelimit-reset"])
        except (KeyError, ValueError):
            return None
        used_text = headers.get("x-ratelimit-used", "")
        used = int(used_text) if used_text.isdigit() else max(limit - remaining, 0)
        resource = headers.get("x-ratelimit-resource") or "core"
        return cls(
            limit=limit, remaining=remaining, used=used, reset_epoch=reset, resource=resource
        )

    @property
    def reset_at(self) -> datetime:
        """The reset time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.reset_epoch, tz=timezone.utc)

    def seconds_until_reset(self, now_epoch: float) -> float:
        """Seconds from ``now_epoch`` to the reset, never negative."""
        return max(self.reset_epoch - now_epoch, 0.0)

    def is_exhausted(self, now_epoch: float) -> bool:
        """True while no requests are left and the window has not reset yet."""
        return self.remaining <= 0 and now_epoch < self.reset_epoch

    def newer_than(self, other: RateLimit | None) -> bool:
        """Whether this reading should replace ``other`` as the client's state.

        Responses may arrive out of order under concurrency: a later window wins, and within
        a window the reading with fewer requests remaining is the more recent one.
        """
        if other is None or self.resource != other.resource:
            return True
        if self.reset_epoch != other.reset_epoch:
            return self.reset_epoch > other.reset_epoch
        return self.remaining <= other.remaining
