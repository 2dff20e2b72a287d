"""``FakeGitHub``: an aiohttp server on loopback that answers like GitHub's Packages API.

How a request is answered, in order:

1. It is recorded (:attr:`FakeGitHub.requests`) and may take a turn of a scripted
   :class:`~aiogh_packages.testing.Fault`; ``latency_s`` (and a ``stall`` fault's delay) is
   waited first. ``drop`` and ``respond`` faults end the story here.
2. GitHub's gatekeeping: a ``User-Agent`` is required (403), ``X-GitHub-Api-Version`` must be a
   supported one (400), the token must be known (401), the rate limit must not be spent (403).
3. The operation runs (:mod:`.api`); ``/user`` and ``/rate_limit`` are served here.
4. A ``hold`` fault now waits its delay, with the change already made, before anything is sent.
5. A 200 GET gets an ``ETag``; a matching ``If-None-Match`` turns it into a bodiless 304 that
   is not counted against the rate limit. Every answer gets GitHub's headers.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable, Mapping
from types import TracebackType

from aiohttp import web

from .auth import TokenInfo
from .control import CONTROL_PATH, handle_control
from .faults import Fault, FaultBook, RecordedRequest, RequestLog
from .gate import Gate
from .registry import FakeRegistry
from .store import Store
from .threaded import ThreadedFakeGitHub
from .wire import Wire, drop, send, truncate

__all__ = ["FakeGitHub"]


def _record(request: web.BaseRequest) -> RecordedRequest:
    return RecordedRequest(
        method=request.method,
        path=request.rel_url.raw_path,
        query=dict(request.rel_url.query.items()),
        headers={name.lower(): value for name, value in request.headers.items()},
        url=str(request.url),
    )


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class FakeGitHub:
    """A fake GitHub Packages API on a free loopback port, for tests and demos.

    Use it as ``async with FakeGitHub(store=...) as gh:`` (or ``await gh.start()`` /
    ``await gh.close()``), point a client at :attr:`base_url`, script faults with
    :meth:`add_fault` / :meth:`fail_next` and inspect :attr:`requests`.
    :meth:`in_thread` runs one on its own loop in a background thread. Clients in other
    languages script faults with ``POST /_fake/faults`` (loopback callers only; see
    :mod:`aiogh_packages.testing.control`).

    Args:
        store: The data to serve; ``None`` serves :func:`~aiogh_packages.testing.sample_store`.
        require_token: Answer 401 "Requires authentication" to requests without a token,
            as GitHub does; ``None`` (the default) means "when ``tokens`` are declared".
        tokens: Known tokens (:class:`~aiogh_packages.testing.TokenInfo`) and whom they
            belong to. Declaring them turns on GitHub's rules: anonymous requests are 401,
            listings show only what the token's user may read, deleting and restoring need
            admin on the package, and each token kind answers as GitHub does; other tokens
            get 401 ``Bad credentials``. ``None`` (the permissive default) accepts any token
            as the store's admin: the first user, who may read and change every package;
            anonymous callers then still read public packages.
        rate_limit: Requests per hour per token (anonymous callers: at most 60 per address);
            ``None`` never limits.
        host: The address to listen on.
        port: The port to listen on; 0 picks a free one.
        clock: Epoch seconds now; rate-limit windows and ``deleted_at`` follow it.
        latency_s: Delay before every answer (also settable later).
        secondary_limits: Apply GitHub's secondary rate limits (900 points a minute per
            endpoint with GET 1 and DELETE/POST 5, 80 mutating requests a minute, 100 at
            once), answering 403/429 with ``Retry-After``; off by default for speed. Minutes
            follow ``clock``, so a test can move time instead of waiting.

    Attributes:
        store: The served :class:`~aiogh_packages.testing.Store`; change its contents at any
            time (assigning another store does not take effect).
        latency_s: Seconds to wait before every answer.
        max_in_flight: The most requests that were being answered at once so far.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        require_token: bool | None = None,
        tokens: Mapping[str, TokenInfo] | None = None,
        rate_limit: int | None = 5000,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        latency_s: float = 0.0,
        secondary_limits: bool = False,
    ) -> None:
        if store is None:
            from .seed import sample_store

            store = sample_store()
        self.store = store
        self.latency_s = latency_s
        self.max_in_flight = 0
        self._in_flight = 0
        self._gate = Gate(store, tokens, require_token, rate_limit, clock, secondary_limits)
        known = self._gate.tokens
        self.registry = FakeRegistry(store, lambda t: known is None or t in known, clock)
        self._faults = FaultBook()
        self._log = RequestLog()
        self._host, self._port = host, port
        self._runner: web.ServerRunner | None = None
        self._sleepers: set[asyncio.Future[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._base_url: str | None = None

    @classmethod
    def in_thread(
        cls,
        store: Store | None = None,
        *,
        require_token: bool | None = None,
        tokens: Mapping[str, TokenInfo] | None = None,
        rate_limit: int | None = 5000,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        latency_s: float = 0.0,
        secondary_limits: bool = False,
    ) -> ThreadedFakeGitHub[FakeGitHub]:
        """A server that runs its own event loop in a daemon thread.

        ``with FakeGitHub.in_thread(store=...) as gh:`` gives a started :class:`FakeGitHub`
        usable from any thread or event loop (all its non-async methods are thread-safe);
        leaving the block stops the thread. Arguments are those of :class:`FakeGitHub`.
        """
        server = cls(
            store,
            require_token=require_token,
            tokens=tokens,
            rate_limit=rate_limit,
            host=host,
            port=port,
            clock=clock,
            latency_s=latency_s,
            secondary_limits=secondary_limits,
        )
        return ThreadedFakeGitHub(server)

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` without a trailing slash; set once started."""
        if self._base_url is None:
            raise RuntimeError("FakeGitHub is not started: use 'async with' or await start()")
        return self._base_url

    @property
    def registry_url(self) -> str:
        """The container registry (``/v2/...``, realm ``/token``); served on :attr:`base_url`."""
        return self.base_url

    async def start(self) -> FakeGitHub:
        """Listen on ``host``/``port`` (a free port when 0). Returns the server itself."""
        if self._runner is not None:
            raise RuntimeError("FakeGitHub is already started")
        self._loop = asyncio.get_running_loop()
        runner = web.ServerRunner(
            web.Server(self._handle, access_log=None), handle_signals=False, shutdown_timeout=2.0
        )
        await runner.setup()
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if os.name == "posix":  # elsewhere SO_REUSEADDR would allow sharing a busy port
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
            await web.SockSite(runner, sock).start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        port = sock.getsockname()[1]
        host = f"[{self._host}]" if family == socket.AF_INET6 else self._host
        self._base_url, self._runner = f"http://{host}:{port}", runner
        return self

    async def close(self) -> None:
        """Stop listening, wake stalled requests and close every connection."""
        if self._runner is None:
            return
        if self._loop is not asyncio.get_running_loop():
            raise RuntimeError("close() must run on the loop that started this server")
        runner, self._runner = self._runner, None
        for waiter in self._sleepers:
            _wake(waiter)
        await runner.cleanup()

    async def __aenter__(self) -> FakeGitHub:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- scripting and inspection (thread-safe) ------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (faulted ones included)."""
        return self._log.snapshot()

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self._log.clear()

    def add_fault(self, fault: Fault) -> None:
        """Queue ``fault``; faults are matched against incoming requests in the order added."""
        self._faults.add(fault)

    def fail_next(
        self,
        status: int = 503,
        *,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        query: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` (a ``respond`` fault)."""
        self.add_fault(
            Fault(
                status=status,
                body=body,
                headers=dict(headers or {}),
                times=times,
                method=method,
                path=path,
                query=query,
            )
        )

    def clear_faults(self) -> None:
        """Drop every fault not used up yet."""
        self._faults.clear()

    def reset_rate_limits(self) -> None:
        """Start a fresh rate-limit window for every caller."""
        self._gate.limiter.reset()

    # -- answering ------------------------------------------------------------------------------

    async def _pause(self, seconds: float) -> None:
        # A bare future woken by a timer, or early by close(), so a stalled request never
        # delays shutdown and no helper task is created (callers may count their loop's tasks).
        if seconds <= 0 or self._runner is None:
            return
        waiter = asyncio.get_running_loop().create_future()
        timer = waiter.get_loop().call_later(seconds, _wake, waiter)
        self._sleepers.add(waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._sleepers.discard(waiter)

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        if request.rel_url.path == CONTROL_PATH:
            return await handle_control(request, self.add_fault, self.clear_faults)
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            recorded = _record(request)
            self._log.add(recorded)
            limiter = self._gate.secondary
            key = self._gate.concurrency_key(recorded, request.remote or "")
            refusal = limiter.enter(key) if limiter is not None else None
            if refusal is not None:
                return send(self._gate.refusal_wire(recorded, request.remote or "", refusal))
            try:
                return await self._answer(request, recorded)
            finally:
                if limiter is not None:
                    limiter.leave(key)
        finally:
            self._in_flight -= 1

    async def _answer(
        self, request: web.BaseRequest, recorded: RecordedRequest
    ) -> web.StreamResponse:
        fault = self._faults.take(recorded)
        await self._pause(self.latency_s)
        if fault is not None and fault.kind == "stall":
            await self._pause(fault.delay_s)
        if fault is not None and fault.kind == "drop":
            return drop(request)
        wire: Wire
        if fault is not None and fault.kind == "respond":
            wire = self._gate.fault_answer(recorded, request.remote or "", fault.answer())
        elif self.registry.serves(recorded.path):
            wire = self.registry.answer(recorded, await request.read())
        else:
            wire = self._gate.answer(recorded, request.remote or "", request.host)
        if fault is not None and fault.kind == "link":
            wire = fault.relink(wire)
        if fault is not None and fault.kind == "hold":
            await self._pause(fault.delay_s)
        if fault is not None and fault.kind == "truncate":
            return truncate(request, wire)
        return send(wire)
