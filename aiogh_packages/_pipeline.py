"""The request pipeline: pace, make the request conditional, send and follow redirects, decide.

This module never imports aiohttp: bytes go out and come back through a :class:`Transport`
(``_transport.py`` is the aiohttp one; tests script their own). For each attempt of a
request, :class:`HTTPCore`:

1. **paces** it: holds back while the primary rate limit is exhausted (or its last
   requests are already in flight), while the shared
   :class:`~aiogh_packages.RateBudget` says a limit paused everyone, while the endpoint's
   points budget is spent, and until the next write slot. A write holds the client's
   write lock from here to its answer, so at most one write is in flight
   (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api);
2. makes a GET **conditional** with the ETag cache's ``If-None-Match``;
3. **sends** inside the concurrency limit and follows same-origin redirects;
4. **decides** with ``_sansio.retry.decide``: hand back the answer, or wait and try again,
   or raise the exception ``_sansio.responses`` picks.

Every wait goes through one rule: longer than ``max_wait_s`` raises
:class:`~aiogh_packages.RateLimitError` at once, otherwise it is announced (log, hook) and
slept with the injectable ``sleep``. Exponential delays for transient faults come from
``backoff``'s ``expo`` with ``full_jitter``; a server-given wait is never clipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import backoff
import msgspec
from yarl import URL

from ._sansio.pacing import WriteSpacer, is_write, points_for
from ._sansio.ratelimit import RateLimit
from ._sansio.responses import error_for, error_message, transport_error, wait_refused
from ._sansio.retry import Outcome, RetryDecision, RetryPolicy, TransportErrorKind, decide
from ._sansio.urls import origin_problem, redact_url
from .budget import RateBudget
from .cache import CachedResponse, ETagCache
from .errors import UnsafeURLError
from .events import Clock, RetryEvent, RetryHook, Sleep, WaitEvent, WaitHook, WaitReason

__all__ = ["HTTPCore", "Response", "SendFault", "Transport"]

logger = logging.getLogger("aiogh_packages")
logger.addHandler(logging.NullHandler())  # records reach the app's handlers, never stderr

_REDIRECTS = frozenset({301, 302, 307, 308})
_NO_LOCK = contextlib.nullcontext()
_MAX_REDIRECTS = 5

Answer = tuple[int, dict[str, str], bytes]
"""What a transport returns: status, lower-cased headers, the whole body."""


class SendFault(Exception):
    """Raised by a :class:`Transport` when a send got no complete answer.

    ``detail`` names the cause in a few words (``"connection refused"``); ``retryable`` is
    False for faults that another attempt cannot fix (a malformed request).
    """

    def __init__(self, kind: TransportErrorKind, detail: str, *, retryable: bool = True) -> None:
        super().__init__(detail)
        self.kind: TransportErrorKind = kind
        self.detail = detail
        self.retryable = retryable


class Transport(Protocol):
    """Sends one request exactly once and returns the complete answer."""

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """Send once; raise :class:`SendFault` (chained from the cause) without an answer."""
        ...

    async def close(self) -> None:
        """Release what the transport opened; a borrowed session stays open."""
        ...


class Response(msgspec.Struct, frozen=True, kw_only=True):
    """A complete answer: status, lower-cased headers, body, and how it was obtained."""

    status: int
    headers: dict[str, str]
    body: bytes
    url: str
    attempts: int = 1
    from_cache: bool = False
    rate_limit: RateLimit | None = None


@dataclass
class _Request:
    """One request's progress across attempts."""

    method: str
    url: str
    key: str
    policy: RetryPolicy
    started: float
    delays: Iterator[float]
    attempt: int = 0
    hits: int = 0
    lost_answer: bool = False
    cached: CachedResponse | None = field(default=None)
    rate_limit: RateLimit | None = None  # read from the latest answer's headers


class HTTPCore:
    """Everything one client shares between its tasks: transport, limits, rate-limit state.

    The core binds to the event loop of its first request: a client lives in one loop
    (one ``asyncio.run``); using it from another raises :class:`RuntimeError`, as does
    using it after :meth:`close`.
    """

    def __init__(
        self,
        *,
        base_url: str,
        token: str | None,
        transport: Transport,
        headers: Mapping[str, str],
        retry: RetryPolicy,
        backoff_base_s: float,
        backoff_max_s: float,
        max_concurrency: int,
        rate_budget: RateBudget | None,
        write_interval_s: float,
        etag_cache: ETagCache | None,
        sleep: Sleep,
        clock: Clock,
        on_retry: RetryHook | None,
        on_wait: WaitHook | None,
    ) -> None:
        self.base_url = base_url
        self._headers = dict(headers)
        if token is not None:
            self._headers["Authorization"] = f"Bearer {token}"
        self.transport = transport
        self.retry = retry
        self._backoff = (backoff_base_s, backoff_max_s)
        self.max_concurrency = max_concurrency
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._write_lock = asyncio.Lock()
        self.rate_budget = rate_budget
        self._spacer = WriteSpacer(write_interval_s) if write_interval_s > 0 else None
        self.etag_cache = etag_cache
        self.sleep, self.clock = sleep, clock
        self._on_retry, self._on_wait = on_retry, on_wait
        self.rate_limit: RateLimit | None = None
        self._in_flight = 0  # sent and not yet answered, to spend no more than `remaining`
        self._answered: asyncio.Event | None = None  # set when an answer arrives, if awaited
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"HTTPCore(base_url={redact_url(self.base_url)!r})"

    async def close(self) -> None:
        """Close the transport (a borrowed session stays open); later requests raise."""
        self._closed = True
        await self.transport.close()

    def url(self, path: str) -> str:
        """An absolute URL on the API origin for ``path`` (which starts with ``/``)."""
        return self.base_url + path

    def check_origin(self, url: str, what: str) -> None:
        """Raise :class:`UnsafeURLError` unless ``url`` is on the ``base_url`` origin."""
        problem = origin_problem(url, self.base_url, what)
        if problem is not None:
            raise UnsafeURLError(problem, method="GET", url=redact_url(url))

    async def request(
        self, method: str, url: str, *, template: str, max_wait_s: float | None = None
    ) -> Response:
        """Send ``method url`` until it succeeds, failing with a :class:`PackagesError`.

        ``template`` keys the points budget (GitHub counts points per endpoint);
        ``max_wait_s`` overrides the policy's longest wait for this call.

        Raises:
            RuntimeError: the client is closed, or bound to another event loop.
        """
        self._check_usable()
        self.check_origin(url, "URL")
        policy = self.retry
        if max_wait_s is not None:
            policy = msgspec.structs.replace(policy, max_wait_s=max_wait_s)
        req = _Request(method, url, f"{method} {template}", policy, self.clock(), self._delays())
        while True:
            req.attempt += 1
            async with self._write_turn(method):
                await self._pace(req)
                try:
                    answer = await self._send_following_redirects(req)
                finally:
                    self._sent()
            result = self._decide(req, answer)
            if isinstance(result, Response):
                return result
            await self._wait_to_retry(req, result)

    def _check_usable(self) -> None:
        if self._closed:
            raise RuntimeError(
                "this PackagesClient is closed (aclose() or its 'async with' block ended); "
                "create a new client"
            )
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError(
                "this PackagesClient was first used in another event loop; a client lives in "
                "one loop: create it inside the coroutine that asyncio.run() runs"
            )

    def _delays(self) -> Iterator[float]:
        base, cap = self._backoff
        gen = backoff.expo(base=2, factor=base, max_value=cap)
        next(gen)  # backoff's generators yield once before the first delay
        for value in gen:
            yield backoff.full_jitter(value) if value else 0.0

    # -- 1. pace ----------------------------------------------------------------------

    def _write_turn(self, method: str) -> contextlib.AbstractAsyncContextManager[object]:
        """The write lock for a write's pacing and send; reads pass straight through."""
        return self._write_lock if is_write(method) else _NO_LOCK

    async def _pace(self, req: _Request) -> None:
        """Wait for every limit; returns having counted the request as in flight."""
        budget = self.rate_budget
        if budget is not None:
            while (pause := await budget.paused_until() - self.clock()) > 0:
                await self._wait(req, pause, "rate-limit-pause")
            cost = points_for(req.method)
            while delay := await budget.reserve(req.key, cost, self.clock()):
                await self._wait(req, delay, "points-budget")
        if self._spacer is not None and is_write(req.method):
            delay = self._spacer.wait_s(self.clock())
            if delay > 0:
                await self._wait(req, delay, "write-interval")
            self._spacer.reserve(self.clock())
        await self._hold_for_primary(req)
        self._in_flight += 1  # no await since the check: the count and the check agree

    async def _hold_for_primary(self, req: _Request) -> None:
        """Hold back while the primary limit is spent or its rest is taken by requests in flight."""
        while (limit := self.rate_limit) is not None and (now := self.clock()) < limit.reset_epoch:
            if limit.remaining <= 0:
                delay = limit.seconds_until_reset(now) + 1.0
                await self._wait(req, delay, "primary-rate-limit")
            elif limit.remaining > self._in_flight:
                return
            else:  # the last requests of the window are on their way; see how they end
                if self._answered is None:
                    self._answered = asyncio.Event()
                await self._answered.wait()

    def _sent(self) -> None:
        self._in_flight -= 1
        if self._answered is not None:
            self._answered.set()
            self._answered = None

    async def _wait(self, req: _Request, delay: float, reason: WaitReason) -> None:
        """Every wait: longer than ``max_wait_s`` raises, else it is announced and slept."""
        if delay > req.policy.max_wait_s:
            raise wait_refused(
                reason,
                delay,
                req.policy.max_wait_s,
                now_epoch=self.clock(),
                method=req.method,
                url=req.url,
                rate_limit=self.rate_limit,
            )
        self._emit_wait(req.method, req.url, delay, reason)
        await self.sleep(delay)

    # -- 2. conditional request, 3. send and follow redirects --------------------------

    def _conditional(self, req: _Request) -> dict[str, str]:
        cache = self.etag_cache
        req.cached = cache.get(req.url) if cache is not None and req.method == "GET" else None
        if req.cached is None:
            return self._headers
        return {**self._headers, "If-None-Match": req.cached.etag}

    async def _send_following_redirects(self, req: _Request) -> Answer | SendFault:
        for _ in range(_MAX_REDIRECTS + 1):
            headers = self._conditional(req)
            try:
                async with self._semaphore:
                    status, got, body = await self.transport.send(
                        req.method, req.url, headers, None
                    )
            except SendFault as fault:
                return fault
            req.rate_limit = self._note_rate_limit(got)
            if status not in _REDIRECTS or "location" not in got:
                break
            req.url = self._redirect_target(req.url, got["location"])
        return status, got, body

    def _note_rate_limit(self, headers: Mapping[str, str]) -> RateLimit | None:
        reading = RateLimit.from_headers(headers)
        if reading is not None and reading.newer_than(self.rate_limit):
            self.rate_limit = reading
        return reading

    def _redirect_target(self, url: str, location: str) -> str:
        target = str(URL(url, encoded=True).join(URL(location, encoded=True)))
        self.check_origin(target, "redirect")
        return target

    # -- 4. decide ----------------------------------------------------------------------

    def _decide(self, req: _Request, answer: Answer | SendFault) -> Response | RetryDecision:
        if isinstance(answer, SendFault):
            return self._decide_fault(req, answer)
        status, headers, body = answer
        if status == 304 and req.cached is not None:
            return self._from_cache(req, req.cached, headers)
        message = error_message(body).message if status >= 400 else None
        outcome = Outcome(status=status, headers=headers, message=message)
        decision = self._retry_decision(req, outcome)
        if decision.action == "done":
            self._remember(req, status, headers, body)
            return Response(
                status=status, headers=headers, body=body, url=req.url,
                attempts=req.attempt, rate_limit=req.rate_limit,
            )  # fmt: skip
        if decision.action == "fail":
            raise error_for(
                status, headers, body, method=req.method, url=req.url, attempts=req.attempt,
                rate_limited=decision.rate_limited, secondary=decision.secondary,
                wait_s=decision.delay_s, now_epoch=self.clock(),
                retried_after_fault=req.lost_answer,
            )  # fmt: skip
        return decision

    def _decide_fault(self, req: _Request, fault: SendFault) -> RetryDecision:
        decision = (
            self._retry_decision(req, Outcome(fault=fault.kind))
            if fault.retryable
            else RetryDecision(action="fail")
        )
        if decision.action == "fail":
            out_of_time = fault.retryable and req.attempt < req.policy.max_tries
            why = f"retry time of {req.policy.max_time_s:g} s used" if out_of_time else ""
            raise transport_error(
                fault.kind, fault.detail, method=req.method, url=req.url,
                attempts=req.attempt, why=why,
            ) from fault.__cause__  # fmt: skip
        req.lost_answer = True
        return decision

    def _retry_decision(self, req: _Request, outcome: Outcome) -> RetryDecision:
        now = self.clock()
        return decide(
            outcome,
            attempt=req.attempt,
            elapsed_s=now - req.started,
            rate_limit_hits=req.hits,
            now_epoch=now,
            backoff_s=next(req.delays),
            policy=req.policy,
        )

    def _from_cache(
        self, req: _Request, cached: CachedResponse, headers: Mapping[str, str]
    ) -> Response:
        fresh = {k: v for k, v in headers.items() if k.startswith("x-ratelimit-")}
        return Response(
            status=200,
            headers={**cached.headers, **fresh},
            body=cached.body,
            url=req.url,
            attempts=req.attempt,
            from_cache=True,
            rate_limit=req.rate_limit,
        )

    def _remember(self, req: _Request, status: int, headers: dict[str, str], body: bytes) -> None:
        etag = headers.get("etag")
        if self.etag_cache is not None and req.method == "GET" and status == 200 and etag:
            self.etag_cache.set(req.url, CachedResponse(etag, headers, body))

    async def _wait_to_retry(self, req: _Request, decision: RetryDecision) -> None:
        if not decision.rate_limited:
            self._emit_retry(req.method, req.url, req.attempt, decision)
            await self.sleep(decision.delay_s)
            return
        req.hits += 1
        if self.rate_budget is not None:  # every client sharing the budget holds back too
            await self.rate_budget.pause_until(self.clock() + decision.delay_s)
        reason: WaitReason = "secondary-rate-limit" if decision.secondary else "primary-rate-limit"
        self._emit_wait(req.method, req.url, decision.delay_s, reason)
        await self.sleep(decision.delay_s)

    # -- events -------------------------------------------------------------------------

    def _emit_retry(self, method: str, url: str, attempt: int, decision: RetryDecision) -> None:
        event = RetryEvent(
            method=method,
            url=redact_url(url),
            attempt=attempt,
            delay_s=decision.delay_s,
            reason=decision.reason,
        )
        logger.info(
            "retrying %s %s after %s (attempt %d failed); waiting %.2f s",
            method,
            event.url,
            decision.reason,
            attempt,
            decision.delay_s,
        )
        if self._on_retry is not None:
            self._on_retry(event)

    def _emit_wait(self, method: str, url: str, delay: float, reason: WaitReason) -> None:
        event = WaitEvent(method=method, url=redact_url(url), delay_s=delay, reason=reason)
        level = logging.WARNING if "rate-limit" in reason else logging.DEBUG
        logger.log(level, "holding %s %s for %.2f s: %s", method, event.url, delay, reason)
        if self._on_wait is not None:
            self._on_wait(event)
