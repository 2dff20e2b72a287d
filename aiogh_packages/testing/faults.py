"""Scripted faults and the log of requests the fake server received.

A :class:`Fault` says what to do instead of (or around) the real answer, and which requests it
applies to. Faults are kept in arrival order; each incoming request consumes one use of the
first fault that matches it. Every request, faulted or not, is recorded as a
:class:`RecordedRequest`. Both lists are guarded by locks because the thread-backed server is
read and scripted from other threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Literal
from urllib.parse import unquote

from .render import Answer, error_body
from .wire import Wire

__all__ = ["Fault", "FaultBook", "FaultKind", "RecordedRequest", "RequestLog"]

FaultKind = Literal["respond", "drop", "truncate", "stall", "hold", "link"]
_KINDS = ("respond", "drop", "truncate", "stall", "hold", "link")

_RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
# Messages GitHub sends with these statuses (see shared github-behaviour notes, section 5 and 14).
_MESSAGES = {
    401: "Bad credentials",
    403: "Forbidden",
    404: "Not Found",
    422: "Validation Failed",
    429: "You have exceeded a secondary rate limit. "
    "Please wait a few minutes before you try again.",
    500: "Server Error",
    504: "We couldn't respond to your request in time. Sorry about that. "
    "Please try resubmitting your request and contact us if the problem persists.",
}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake server received it.

    Attributes:
        method: The HTTP method, upper case.
        path: The raw path, still percent-encoded (``.../container/org%2Fimage``).
        query: The decoded query parameters (the last value of a repeated key).
        headers: The request headers, names lower-cased.
        url: The full URL as received.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    url: str


@dataclass(frozen=True)
class Fault:
    """A scripted misbehaviour for the next ``times`` requests that match.

    Kinds:
        ``respond``: answer ``status``/``body``/``headers`` instead of the real handler. A
        ``body`` of ``None`` is a GitHub-style JSON error fitting the status (empty below
        400); bytes and str are sent as they are; anything else is encoded as JSON.
        ``drop``: close the connection without any answer.
        ``truncate``: run the real handler, then send a ``Content-Length`` larger than the
        body actually sent (a bodiless answer is cut inside its headers) and close.
        ``stall``: wait ``delay_s`` seconds, then answer normally.
        ``hold``: run the real handler first (its change is applied to the store), then wait
        ``delay_s`` seconds before sending the answer, so a client can be killed while the
        answer is held and the test can check that the change was made anyway.
        ``link``: answer normally but with ``link_header`` as the ``Link`` header, or none
        at all when it is ``None`` (GitHub has sent full pages without one,
        octokit/core.js#695). Made by :meth:`drop_link` and :meth:`link`.

    aiohttp's client resends an idempotent request (GET, HEAD, PUT, DELETE, ...) once by itself
    when the connection closes before a response starts, so a single ``drop`` (or a
    ``truncate`` of a bodiless answer) of such a request may go unnoticed by the code above
    aiohttp; the retry shows up in :attr:`FakeGitHub.requests` and takes the next matching
    fault, if any.

    Matching (all given conditions must hold): ``method`` (any case); ``path``, equal to the
    decoded or raw request path, or a regular expression searched in the decoded path when it
    starts with ``^``; ``query``, a subset of the request's query parameters, where a request
    without ``page`` counts as ``page=1`` (GitHub's default).
    """

    status: int = 500
    body: object = None
    headers: Mapping[str, str] = field(default_factory=dict)
    times: int = 1
    kind: FaultKind = "respond"
    delay_s: float = 0.0
    method: str | None = None
    path: str | None = None
    query: Mapping[str, str] | None = None
    link_header: str | None = None

    @classmethod
    def drop_link(
        cls, times: int = 1, *, path: str | None = None, query: Mapping[str, str] | None = None
    ) -> Fault:
        """The next ``times`` matching GET pages come without a ``Link`` header."""
        return cls(kind="link", times=times, method="GET", path=path, query=query)

    @classmethod
    def link(
        cls,
        value: str,
        times: int = 1,
        *,
        path: str | None = None,
        query: Mapping[str, str] | None = None,
    ) -> Fault:
        """The next ``times`` matching GET pages carry ``value`` as their ``Link`` header."""
        return cls(
            kind="link", times=times, method="GET", path=path, query=query, link_header=value
        )

    def relink(self, wire: Wire) -> Wire:
        """``wire`` with this fault's ``Link`` header (or without any)."""
        headers = wire.headers.copy()
        headers.popall("Link", None)
        if self.link_header is not None:
            headers["Link"] = self.link_header
        return Wire(wire.status, headers, wire.body)

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of: {', '.join(_KINDS)}")
        if self.times < 1:
            raise ValueError(f"times must be at least 1, got {self.times}")
        if self.delay_s < 0:
            raise ValueError(f"delay_s must not be negative, got {self.delay_s}")
        if not 100 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP status (100-599), got {self.status}")

    def matches(self, request: RecordedRequest) -> bool:
        """Whether this fault applies to ``request``."""
        if self.method is not None and self.method.upper() != request.method:
            return False
        if self.path is not None and not _path_matches(self.path, request.path):
            return False
        if self.query is not None:
            query = {"page": "1", **request.query}
            return all(query.get(key) == value for key, value in self.query.items())
        return True

    def answer(self) -> Answer:
        """What a ``respond`` fault sends (before GitHub's usual headers are added)."""
        payload = self.body
        if payload is None and self.status >= 400:
            message = _MESSAGES.get(self.status) or HTTPStatus(self.status).phrase
            docs = _RATE_DOCS if self.status == 429 else "https://docs.github.com/rest"
            payload = error_body(self.status, message, docs)
        return Answer(self.status, payload, dict(self.headers))


def _path_matches(pattern: str, raw_path: str) -> bool:
    decoded = unquote(raw_path)
    if pattern.startswith("^"):
        return re.search(pattern, decoded) is not None
    return pattern in (decoded, raw_path)


@dataclass
class _Turns:
    fault: Fault
    left: int


class FaultBook:
    """Faults waiting to be used, in the order they were added (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Turns] = []

    def add(self, fault: Fault) -> None:
        """Queue ``fault`` behind the ones already waiting."""
        with self._lock:
            self._pending.append(_Turns(fault, fault.times))

    def take(self, request: RecordedRequest) -> Fault | None:
        """Use up one turn of the first waiting fault that matches ``request``."""
        with self._lock:
            for turns in self._pending:
                if turns.fault.matches(request):
                    turns.left -= 1
                    if turns.left == 0:
                        self._pending.remove(turns)
                    return turns.fault
        return None

    def clear(self) -> None:
        """Forget every waiting fault."""
        with self._lock:
            self._pending.clear()


class RequestLog:
    """Requests in arrival order (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def add(self, request: RecordedRequest) -> None:
        """Append ``request``."""
        with self._lock:
            self._items.append(request)

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the requests so far."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._items.clear()
