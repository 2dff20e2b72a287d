"""The retry decision: given what one attempt produced, retry now, wait N seconds, or stop.

Does no I/O and reads no clock: ``now_epoch`` and the next exponential delay are arguments.

How this works
--------------
``decide`` looks at one :class:`Outcome` (a status with headers and GitHub's message, or a
transport fault) together with the counters of the request so far, and returns a
:class:`RetryDecision`:

* ``done``: a 2xx or 304, hand the response back.
* ``retry`` after ``delay_s``: a transient fault (connection, timeout, body cut short,
  500/502/503/504) while tries and total time remain, with the exponential delay that the
  ``backoff`` wait generator produced; or a rate limit, with the wait GitHub asks for.
* ``fail``: anything else, or a budget is spent. ``rate_limited`` tells the caller to raise
  :class:`~aiogh_packages.RateLimitError` rather than a plain API error.

Rate limits come before the exponential schedule, in GitHub's order
(https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api):
``retry-after`` (delay-seconds, or an HTTP-date per RFC 9110 section 10.2.3, where a
date in the past means now) if present; else, when ``x-ratelimit-remaining`` is 0, until
``x-ratelimit-reset`` plus one second; else, for a message naming a secondary rate limit,
at least 60 s, doubling on each further hit. A wait longer than ``max_wait_s`` is not slept:
the caller raises at once, saying when the limit resets. Other 4xx are never retried.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Literal

import msgspec

__all__ = [
    "Outcome",
    "RetryDecision",
    "RetryPolicy",
    "TransportErrorKind",
    "decide",
    "rate_limit_wait",
    "retry_after_s",
]

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
_SECONDARY = re.compile(r"\bsecondary rate\b", re.IGNORECASE)
_PRIMARY = re.compile(r"\brate limit exceeded\b", re.IGNORECASE)

TransportErrorKind = Literal["connection", "timeout", "payload"]
"""What went wrong below HTTP: no connection, no answer in time, or a body cut short."""


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Bounds on retrying one request.

    Attributes:
        max_tries: attempts in all for transient faults (connection, timeout, 5xx).
        max_time_s: total seconds after which transient faults are no longer retried.
        max_rate_limit_retries: how many rate-limit waits one request may sit through.
        max_wait_s: the longest single rate-limit wait to sleep through; a longer one raises.
        secondary_min_s: the wait for a secondary limit without ``retry-after``.
    """

    max_tries: int = 5
    max_time_s: float = 120.0
    max_rate_limit_retries: int = 4
    max_wait_s: float = 900.0
    secondary_min_s: float = 60.0


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """What one attempt produced: a response (status, headers, message) or a transport fault."""

    status: int | None = None
    headers: Mapping[str, str] = {}
    message: str | None = None
    fault: TransportErrorKind | None = None


class RetryDecision(msgspec.Struct, frozen=True, kw_only=True):
    """What to do next. ``delay_s`` is meaningful for ``retry`` (and says the wait refused)."""

    action: Literal["done", "retry", "fail"]
    delay_s: float = 0.0
    reason: str = ""
    rate_limited: bool = False
    secondary: bool = False


def retry_after_s(headers: Mapping[str, str], now_epoch: float) -> float | None:
    """Seconds ``retry-after`` asks for: delay-seconds or an HTTP-date (past dates mean 0).

    Returns None when the header is absent or neither form (RFC 9110 section 10.2.3).
    """
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" means "zone unknown"; HTTP-dates are GMT anyway
        when = when.replace(tzinfo=timezone.utc)
    return max(when.timestamp() - now_epoch, 0.0)


def rate_limit_wait(
    outcome: Outcome, now_epoch: float, rate_limit_hits: int, policy: RetryPolicy
) -> tuple[float, bool] | None:
    """If ``outcome`` is a rate-limit refusal, the seconds to wait and whether it is secondary.

    ``rate_limit_hits`` counts earlier rate-limit refusals of the same request (0 for the
    first), so that a repeated secondary limit without ``retry-after`` waits longer each time.
    Returns None when the outcome is not a rate limit.
    """
    if outcome.status not in (403, 429):
        return None
    headers = outcome.headers
    message = outcome.message or ""
    retry_after = retry_after_s(headers, now_epoch)
    secondary = bool(_SECONDARY.search(message))
    if retry_after is not None:
        return retry_after, secondary or headers.get("x-ratelimit-remaining") != "0"
    if headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        if reset.isdigit():
            return max(int(reset) - now_epoch, 0.0) + 1.0, False
        return policy.secondary_min_s, False
    if secondary:
        return policy.secondary_min_s * 2.0**rate_limit_hits, True
    if outcome.status == 429 or _PRIMARY.search(message):
        return policy.secondary_min_s * 2.0**rate_limit_hits, outcome.status == 429
    return None


def decide(
    outcome: Outcome,
    *,
    attempt: int,
    elapsed_s: float,
    rate_limit_hits: int,
    now_epoch: float,
    backoff_s: float,
    policy: RetryPolicy,
) -> RetryDecision:
    """Choose what follows one attempt.

    Args:
        outcome: what the attempt produced.
        attempt: the number of this attempt, from 1.
        elapsed_s: seconds since the first attempt started.
        rate_limit_hits: rate-limit refusals of this request before this one.
        now_epoch: the current UTC epoch time.
        backoff_s: the next exponential (jittered) delay for a transient fault.
        policy: the bounds.
    """
    if outcome.fault is None and outcome.status is not None and outcome.status < 400:
        return RetryDecision(action="done")
    wait = rate_limit_wait(outcome, now_epoch, rate_limit_hits, policy)
    if wait is not None:
        return _decide_rate_limit(wait, rate_limit_hits, policy)
    if outcome.fault is not None or outcome.status in TRANSIENT_STATUSES:
        reason = outcome.fault or f"HTTP {outcome.status}"
        if attempt >= policy.max_tries:
            return RetryDecision(action="fail", reason=f"{reason}; {attempt} tries used")
        if elapsed_s + backoff_s > policy.max_time_s:
            return RetryDecision(action="fail", reason=f"{reason}; {policy.max_time_s:g} s used")
        return RetryDecision(action="retry", delay_s=backoff_s, reason=reason)
    return RetryDecision(action="fail", reason=f"HTTP {outcome.status}")


def _decide_rate_limit(
    wait: tuple[float, bool], rate_limit_hits: int, policy: RetryPolicy
) -> RetryDecision:
    delay_s, secondary = wait
    kind = "secondary rate limit" if secondary else "primary rate limit"
    if delay_s > policy.max_wait_s:
        reason = f"{kind}: wait of {delay_s:.0f} s exceeds max_wait_s={policy.max_wait_s:g}"
    elif rate_limit_hits >= policy.max_rate_limit_retries:
        reason = f"{kind}: {rate_limit_hits} waits already"
    else:
        return RetryDecision(
            action="retry", delay_s=delay_s, reason=kind, rate_limited=True, secondary=secondary
        )
    return RetryDecision(
        action="fail", delay_s=delay_s, reason=reason, rate_limited=True, secondary=secondary
    )
