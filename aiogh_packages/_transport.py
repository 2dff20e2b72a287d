"""The aiohttp transport: the only module of the client that uses aiohttp.

:class:`AiohttpTransport` sends one request once and returns ``(status, headers, body)``,
or raises :class:`~aiogh_packages._pipeline.SendFault` naming the cause; every aiohttp
exception is translated here and nowhere else.

*Once* matters: aiohttp re-sends an idempotent request (GET, DELETE, ...) by itself when a
kept-alive connection drops before the answer starts (RFC 9112 section 9.3.1). The
pipeline counts and decides every attempt, and a hidden re-send of a DELETE whose first
answer was lost would turn "deleted, then 404" into a plain "not found". A session the
transport opens has that re-send switched off once, as it opens (aiohttp's session-wide
``_retry_connection``; no per-request cost). A borrowed session is never modified, so
each request through it carries a per-request middleware that lets aiohttp's handler run
once and answers a second call with the first call's error; the caller's own session
middlewares still run inside it. Should a future aiohttp drop the session-wide switch,
owned sessions take the middleware too.

A session the transport opens itself honours ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``
(aiohttp's ``trust_env``, turned on when the environment names a proxy as the session opens);
a borrowed session keeps the caller's settings.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import aiohttp
from yarl import URL

from ._pipeline import Answer, SendFault

__all__ = ["AiohttpTransport", "fault_for"]

# Per-request middlewares arrived in aiohttp 3.12 (needed for borrowed sessions); the
# session-wide private switch is set on sessions this transport owns, never on borrowed ones.
_PER_REQUEST_MIDDLEWARES = hasattr(aiohttp, "ClientMiddlewareType")
# aiohttp 3.10 split connect timeouts out of ServerTimeoutError.
_CONNECT_TIMEOUT: tuple[type[BaseException], ...] = tuple(
    getattr(aiohttp, name) for name in ("ConnectionTimeoutError",) if hasattr(aiohttp, name)
)


class _SendOnce:
    """A per-request aiohttp middleware: the first call goes through, a re-send re-raises."""

    def __init__(self) -> None:
        self._first_error: BaseException | None = None
        self._calls = 0

    async def __call__(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        self._calls += 1
        if self._calls > 1 and self._first_error is not None:
            raise self._first_error
        try:
            return await handler(request)
        except aiohttp.ClientConnectionError as exc:
            self._first_error = exc
            raise


class AiohttpTransport:
    """Sends over an aiohttp ``ClientSession``: the caller's, or one it opens on first use.

    Args:
        session: a session to borrow (left open by :meth:`close`), or None to own one.
        timeout_s: the most seconds one attempt may take, answer body included.
        connect_timeout_s: the most seconds to get a connection.
    """

    def __init__(
        self, session: aiohttp.ClientSession | None, *, timeout_s: float, connect_timeout_s: float
    ) -> None:
        self._session = session
        self.owns_session = session is None
        self._send_once = _PER_REQUEST_MIDDLEWARES and session is not None  # see module docstring
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=connect_timeout_s)

    def __repr__(self) -> str:
        return f"AiohttpTransport(owns_session={self.owns_session})"

    async def close(self) -> None:
        """Close the session if this transport opened it."""
        if self.owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """Send once; see :class:`~aiogh_packages._pipeline.Transport`."""
        session = self._ensure_session()
        try:
            async with session.request(
                method,
                URL(url, encoded=True),
                headers=headers,
                data=body,
                timeout=self._timeout,
                allow_redirects=False,
                **(self._send_once_options(session) if self._send_once else {}),
            ) as resp:
                data = await resp.read()
                return resp.status, _fold_headers(resp.headers.items()), data
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
            raise fault_for(exc, self._timeout) from exc

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(trust_env=_proxy_configured())
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False  # our own session: see module docstring
            else:  # pragma: no cover - an aiohttp without the switch: the middleware instead
                self._send_once = _PER_REQUEST_MIDDLEWARES
        return self._session

    @staticmethod
    def _send_once_options(session: aiohttp.ClientSession) -> dict[str, Any]:
        # A per-request list replaces the session's, so the caller's go inside ours (read only).
        own: Sequence[aiohttp.ClientMiddlewareType] = getattr(session, "_middlewares", ())
        return {"middlewares": (_SendOnce(), *own)}


def _proxy_configured() -> bool:
    """Whether the environment names a proxy (``HTTPS_PROXY``, ``http_proxy``, ...).

    aiohttp's ``trust_env`` also reads ``~/.netrc`` in a worker thread on every request, which
    doubled the CPU per request (measured on loopback); it is only worth it for a proxy.
    """
    return any(
        value and name.lower().endswith("_proxy") and name.lower() != "no_proxy"
        for name, value in os.environ.items()
    )


def fault_for(exc: BaseException, timeout: aiohttp.ClientTimeout) -> SendFault:
    """Translate an aiohttp (or asyncio timeout) exception into a :class:`SendFault`.

    The one place aiohttp faults are named: the API pipeline and the registry client use it.
    """
    if isinstance(exc, _CONNECT_TIMEOUT):
        return SendFault("timeout", f"no connection within {timeout.sock_connect:g} s")
    if isinstance(exc, asyncio.TimeoutError):
        return SendFault("timeout", f"no complete answer within {timeout.total:g} s")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return SendFault("payload", "the response body was cut short")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return SendFault("connection", _os_cause(exc.os_error, exc.host))
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return SendFault("connection", "the server closed the connection without an answer")
    if isinstance(exc, aiohttp.ClientOSError):
        return SendFault("connection", _os_cause(exc, ""))
    if isinstance(exc, aiohttp.ClientConnectionError):
        return SendFault("connection", type(exc).__name__)
    return SendFault("connection", f"HTTP client error: {type(exc).__name__}", retryable=False)


def _os_cause(error: OSError, host: str) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset by peer"
    if isinstance(error, socket.gaierror):
        return f"cannot resolve host {host!r}"
    return (error.strerror or type(error).__name__).lower()


def _fold_headers(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-cased names; repeated field lines joined with ", " (RFC 9110 section 5.3).

    A response may split one list field over several lines (two ``Link`` lines are one
    list of links), so keeping only the last line would silently drop pages.
    """
    folded: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        folded[key] = f"{folded[key]}, {value}" if key in folded else value
    return folded
