"""Sending requests: the aiohttp session, pacing, retries, rate limits and error mapping.

This is the only module that touches aiohttp's client and translates its exceptions. For
each request it (1) holds back while the primary rate limit is exhausted, while the
endpoint's points budget is spent, or until the next write slot; (2) sends once inside the
concurrency limit with a per-attempt timeout; (3) hands what came back to
``_sansio.retry.decide`` and sleeps or raises as told. The exponential schedule for
transient faults comes from ``backoff``'s wait generators (``expo`` with ``full_jitter``);
the loop is ours so that every wait goes through one injectable ``sleep`` and one
``clock``, and a server-given wait is never clipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping

import aiohttp
import backoff
import msgspec
from yarl import URL

from ._sansio.pacing import PointsBudget, WriteSpacer, is_write, points_for
from ._sansio.ratelimit import RateLimit
from ._sansio.responses import error_for, error_message
from ._sansio.retry import Decision, Fault, Outcome, RetryPolicy, decide
from ._sansio.urls import origin_problem, redact_url
from .cache import CachedResponse, ETagCache
from .errors import RateLimitError, TransportError, UnsafeURLError
from .events import Clock, RetryEvent, RetryHook, Sleep, WaitEvent, WaitHook, WaitReason

__all__ = ["HTTPCore", "Response"]

logger = logging.getLogger("aiogh_packages")

_REDIRECTS = frozenset({301, 302, 307, 308})
_MAX_REDIRECTS = 5


class Response(msgspec.Struct, frozen=True, kw_only=True):
    """A complete answer: status, lower-cased headers, body, and how it was obtained."""

    status: int
    headers: dict[str, str]
    body: bytes
    url: str
    attempts: int = 1
    from_cache: bool = False
    rate_limit: RateLimit | None = None


class _Fault(Exception):
    def __init__(self, kind: Fault, cause: BaseException) -> None:
        super().__init__(kind)
        self.kind = kind
        self.cause = cause


class HTTPCore:
    """Everything one client shares between its tasks: session, limits and rate-limit state."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str | None,
        session: aiohttp.ClientSession | None,
        headers: Mapping[str, str],
        timeout: aiohttp.ClientTimeout,
        retry: RetryPolicy,
        backoff_base_s: float,
        backoff_max_s: float,
        max_concurrency: int,
        points_per_minute: int | None,
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
        self._session = session
        self.owns_session = session is None
        self._timeout = timeout
        self.retry = retry
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self.max_concurrency = max_concurrency
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._budget = PointsBudget(points_per_minute) if points_per_minute else None
        self._spacer = WriteSpacer(write_interval_s) if write_interval_s > 0 else None
        self.etag_cache = etag_cache
        self.sleep = sleep
        self.clock = clock
        self._on_retry = on_retry
        self._on_wait = on_wait
        self.rate_limit: RateLimit | None = None
        self.in_flight = 0
        self.peak_in_flight = 0

    def __repr__(self) -> str:
        return f"HTTPCore(base_url={self.base_url!r})"

    async def close(self) -> None:
        """Close the session if this core opened it."""
        if self.owns_session and self._session is not None:
            await self._session.close()
            self._session = None

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
        ``max_wait_s`` overrides the policy's longest rate-limit wait for this call.
        """
        self.check_origin(url, "URL")
        policy = self.retry
        if max_wait_s is not None:
            policy = msgspec.structs.replace(policy, max_wait_s=max_wait_s)
        key = f"{method} {template}"
        started = self.clock()
        delays = self._backoff_delays()
        attempt = hits = redirects = 0
        lost_answer = False
        while True:
            attempt += 1
            await self._hold_back(method, url, key, policy)
            cache = self.etag_cache
            cached = cache.get(url) if cache is not None and method == "GET" else None
            try:
                status, headers, body = await self._send_once(method, url, cached)
            except _Fault as fault:
                outcome = Outcome(fault=fault.kind)
                cause: BaseException | None = fault.cause
            else:
                reading = self._note_rate_limit(headers)
                if status in _REDIRECTS and "location" in headers and redirects < _MAX_REDIRECTS:
                    url = self._redirect_target(url, headers["location"])
                    redirects += 1
                    attempt -= 1
                    continue
                if status == 304 and cached is not None:
                    fresh = {k: v for k, v in headers.items() if k.startswith("x-ratelimit-")}
                    return Response(
                        status=200,
                        headers={**cached.headers, **fresh},
                        body=cached.body,
                        url=url,
                        attempts=attempt,
                        from_cache=True,
                        rate_limit=reading,
                    )
                message = error_message(body).message if status >= 400 else None
                outcome = Outcome(status=status, headers=headers, message=message)
                cause = None
            now = self.clock()
            decision = decide(
                outcome,
                attempt=attempt,
                elapsed_s=now - started,
                rate_limit_hits=hits,
                now_epoch=now,
                backoff_s=next(delays),
                policy=policy,
            )
            if decision.action == "done":
                self._remember(method, url, status, headers, body)
                return Response(
                    status=status,
                    headers=headers,
                    body=body,
                    url=url,
                    attempts=attempt,
                    rate_limit=reading,
                )
            if decision.action == "fail":
                raise self._failure(
                    method,
                    url,
                    attempt,
                    outcome,
                    body if cause is None else b"",
                    decision,
                    lost_answer,
                    cause,
                )
            if decision.rate_limited:
                hits += 1
                reason: WaitReason = (
                    "secondary-rate-limit" if decision.secondary else "primary-rate-limit"
                )
                self._emit_wait(method, url, decision.delay_s, reason)
            else:
                lost_answer = lost_answer or outcome.fault is not None
                self._emit_retry(method, url, attempt, decision)
            await self.sleep(decision.delay_s)

    def _backoff_delays(self) -> Iterator[float]:
        gen = backoff.expo(base=2, factor=self._backoff_base_s, max_value=self._backoff_max_s)
        next(gen)  # backoff's generators yield once before the first delay
        for value in gen:
            yield backoff.full_jitter(value) if value else 0.0

    async def _hold_back(self, method: str, url: str, key: str, policy: RetryPolicy) -> None:
        while (limit := self.rate_limit) is not None and limit.is_exhausted(now := self.clock()):
            delay = limit.seconds_until_reset(now) + 1.0
            if delay > policy.max_wait_s:
                raise RateLimitError(
                    403,
                    rate_limit=limit,
                    secondary=False,
                    retry_after_s=delay,
                    reset_at=limit.reset_at,
                    github_message="primary rate limit exhausted; request not sent",
                    method=method,
                    url=redact_url(url),
                )
            self._emit_wait(method, url, delay, "primary-rate-limit")
            await self.sleep(delay)
        if self._budget is not None:
            while delay := self._budget.reserve(key, points_for(method), self.clock()):
                self._emit_wait(method, url, delay, "points-budget")
                await self.sleep(delay)
        if self._spacer is not None and is_write(method):
            delay = self._spacer.reserve(self.clock())
            if delay > 0:
                self._emit_wait(method, url, delay, "write-interval")
                await self.sleep(delay)

    async def _send_once(
        self, method: str, url: str, cached: CachedResponse | None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = self._headers
        if cached is not None:
            headers = {**headers, "If-None-Match": cached.etag}
        session = self._ensure_session()
        async with self._semaphore:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                async with session.request(
                    method,
                    URL(url, encoded=True),
                    headers=headers,
                    timeout=self._timeout,
                    allow_redirects=False,
                ) as resp:
                    body = await resp.read()
                    return resp.status, {k.lower(): v for k, v in resp.headers.items()}, body
            except asyncio.TimeoutError as exc:
                raise _Fault("timeout", exc) from exc
            except aiohttp.ClientPayloadError as exc:
                raise _Fault("payload", exc) from exc
            except aiohttp.ClientConnectionError as exc:
                raise _Fault("connection", exc) from exc
            except aiohttp.ClientError as exc:
                raise TransportError(
                    f"HTTP client error: {type(exc).__name__}", method=method, url=redact_url(url)
                ) from exc
            finally:
                self.in_flight -= 1

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            session = aiohttp.ClientSession()
            # aiohttp re-sends an idempotent request once, unseen, when a reused keep-alive
            # connection drops. This loop does its own counted retries, and a hidden re-send of
            # a DELETE whose first answer was lost would turn "deleted, then 404" into a plain
            # "not found". aiohttp has no public switch, so the attribute is set where it exists.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
            self._session = session
        return self._session

    def _note_rate_limit(self, headers: Mapping[str, str]) -> RateLimit | None:
        reading = RateLimit.from_headers(headers)
        if reading is not None and reading.newer_than(self.rate_limit):
            self.rate_limit = reading
        return reading

    def _redirect_target(self, url: str, location: str) -> str:
        target = str(URL(url, encoded=True).join(URL(location, encoded=True)))
        self.check_origin(target, "redirect")
        return target

    def _remember(
        self, method: str, url: str, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        etag = headers.get("etag")
        if self.etag_cache is not None and method == "GET" and status == 200 and etag:
            self.etag_cache.set(url, CachedResponse(etag, headers, body))

    def _failure(
        self,
        method: str,
        url: str,
        attempt: int,
        outcome: Outcome,
        body: bytes,
        decision: Decision,
        lost_answer: bool,
        cause: BaseException | None,
    ) -> Exception:
        safe = redact_url(url)
        if outcome.fault is not None:
            error: Exception = TransportError(
                f"{outcome.fault} fault, giving up: {decision.reason}",
                method=method,
                url=safe,
                attempts=attempt,
            )
            error.__cause__ = cause
            return error
        return error_for(
            outcome.status or 0,
            outcome.headers,
            body,
            method=method,
            url=url,
            attempts=attempt,
            rate_limited=decision.rate_limited,
            secondary=decision.secondary,
            wait_s=decision.delay_s,
            now_epoch=self.clock(),
            retried_after_fault=lost_answer,
        )

    def _emit_retry(self, method: str, url: str, attempt: int, decision: Decision) -> None:
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
        level = logging.WARNING if reason.endswith("rate-limit") else logging.DEBUG
        logger.log(level, "holding %s %s for %.2f s: %s", method, event.url, delay, reason)
        if self._on_wait is not None:
            self._on_wait(event)
