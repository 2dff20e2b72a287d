"""The ETag cache behind conditional requests, and the protocol to plug in your own.

With a cache set on the client, every GET sends ``If-None-Match`` with the ETag of the
response it has for that URL; GitHub answers ``304 Not Modified`` when nothing changed,
and a 304 does not count against the primary rate limit
(https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
The client then serves the stored body and headers (``Link`` included), marking the
result ``from_cache``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol, runtime_checkable

import msgspec

__all__ = ["CachedResponse", "ETagCache", "MemoryETagCache"]


class CachedResponse(msgspec.Struct, frozen=True):
    """What is kept per URL: the ETag, the response headers and the raw body."""

    etag: str
    headers: dict[str, str]
    body: bytes


@runtime_checkable
class ETagCache(Protocol):
    """Storage for conditional requests. Keys are full request URLs (no credentials).

    Implementations may be shared between clients that use the same token; they must not
    be shared across tokens that see different data.
    """

    def get(self, key: str) -> CachedResponse | None:
        """The stored response for ``key``, or None."""

    def set(self, key: str, value: CachedResponse) -> None:
        """Store ``value`` for ``key``."""


class MemoryETagCache:
    """An in-memory LRU :class:`ETagCache` holding at most ``maxsize`` responses."""

    def __init__(self, maxsize: int = 512) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize}")
        self.maxsize = maxsize
        self._data: OrderedDict[str, CachedResponse] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: str) -> CachedResponse | None:
        """The stored response for ``key`` (now the most recently used), or None."""
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def set(self, key: str, value: CachedResponse) -> None:
        """Store ``value``, evicting the least recently used entry beyond ``maxsize``."""
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)
