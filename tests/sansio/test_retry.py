"""The pure retry decision, as a table: outcome + counters -> done / retry after N s / fail."""

from __future__ import annotations

import pytest

from aiogh_packages._sansio.retry import (
    Outcome,
    RetryDecision,
    RetryPolicy,
    decide,
    rate_limit_wait,
    retry_after_s,
)

NOW = 1_700_000_000.0
POLICY = RetryPolicy(max_tries=5, max_time_s=120.0, max_rate_limit_retries=3, max_wait_s=900.0)
PRIMARY = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 2)}
SECONDARY_MSG = "You have exceeded a secondary rate limit. Please wait a few minutes."


def _decide(
    outcome: Outcome,
    attempt: int = 1,
    elapsed: float = 0.0,
    hits: int = 0,
    backoff: float = 0.5,
    policy: RetryPolicy = POLICY,
) -> RetryDecision:
    return decide(
        outcome,
        attempt=attempt,
        elapsed_s=elapsed,
        rate_limit_hits=hits,
        now_epoch=NOW,
        backoff_s=backoff,
        policy=policy,
    )


@pytest.mark.parametrize(
    ("outcome", "kwargs", "action", "delay"),
    [
        (Outcome(status=200), {}, "done", 0.0),
        (Outcome(status=204), {}, "done", 0.0),
        (Outcome(status=304), {}, "done", 0.0),
        (Outcome(status=500), {}, "retry", 0.5),
        (Outcome(status=502, message=None), {}, "retry", 0.5),
        (Outcome(status=503), {"backoff": 2.0}, "retry", 2.0),
        (Outcome(status=504), {}, "retry", 0.5),
        (Outcome(fault="connection"), {}, "retry", 0.5),
        (Outcome(fault="timeout"), {}, "retry", 0.5),
        (Outcome(fault="payload"), {}, "retry", 0.5),
        (Outcome(status=500), {"attempt": 5}, "fail", 0.0),
        (Outcome(fault="timeout"), {"attempt": 5}, "fail", 0.0),
        (Outcome(status=503), {"elapsed": 119.9, "backoff": 1.0}, "fail", 0.0),
        (Outcome(status=501), {}, "fail", 0.0),
        (Outcome(status=400), {}, "fail", 0.0),
        (Outcome(status=401, message="Bad credentials"), {}, "fail", 0.0),
        (Outcome(status=403, message="Must have admin rights"), {}, "fail", 0.0),
        (Outcome(status=404), {}, "fail", 0.0),
        (Outcome(status=410), {}, "fail", 0.0),
        (Outcome(status=422), {}, "fail", 0.0),
    ],
)
def test_transient_and_client_errors(
    outcome: Outcome, kwargs: dict[str, float], action: str, delay: float
) -> None:
    """5xx (500/502/503/504) and transport faults retry with backoff; other errors never do."""
    decision = _decide(outcome, **kwargs)  # type: ignore[arg-type]
    assert (decision.action, decision.delay_s) == (action, delay)
    assert not decision.rate_limited


@pytest.mark.parametrize(
    ("outcome", "hits", "delay", "secondary"),
    [
        (Outcome(status=429, headers={"retry-after": "1"}), 0, 1.0, True),
        (Outcome(status=403, headers={"retry-after": "30"}, message=SECONDARY_MSG), 0, 30.0, True),
        (Outcome(status=403, message=SECONDARY_MSG), 0, 60.0, True),
        (Outcome(status=403, message=SECONDARY_MSG), 1, 120.0, True),
        (Outcome(status=403, message=SECONDARY_MSG), 2, 240.0, True),
        (
            Outcome(status=403, headers=PRIMARY, message="API rate limit exceeded for user ID 1."),
            0,
            3.0,
            False,
        ),
        (Outcome(status=429, headers=PRIMARY), 0, 3.0, False),
        (Outcome(status=403, headers={**PRIMARY, "retry-after": "5"}), 0, 5.0, False),
        (Outcome(status=429), 0, 60.0, True),
        (Outcome(status=403, headers={"x-ratelimit-remaining": "0"}), 0, 60.0, False),
        (Outcome(status=403, message="API rate limit exceeded for 1.2.3.4."), 0, 60.0, False),
    ],
)
def test_rate_limits_wait_as_github_asks(
    outcome: Outcome, hits: int, delay: float, secondary: bool
) -> None:
    """retry-after first, then the primary reset + 1 s, then >= 60 s doubling for secondary."""
    decision = _decide(outcome, hits=hits)
    assert decision == RetryDecision(
        action="retry",
        delay_s=delay,
        reason=decision.reason,
        rate_limited=True,
        secondary=secondary,
    )


def test_rate_limit_wait_past_reset_is_one_second() -> None:
    """A reset already in the past still waits the extra second GitHub recommends."""
    outcome = Outcome(
        status=403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) - 50)}
    )
    assert rate_limit_wait(outcome, NOW, 0, POLICY) == (1.0, False)


def test_wait_above_max_wait_fails_with_the_wait() -> None:
    """A wait longer than max_wait_s is not slept: the decision fails and says how long."""
    outcome = Outcome(
        status=403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 3000)},
    )
    decision = _decide(outcome)
    assert decision.action == "fail"
    assert decision.rate_limited
    assert decision.delay_s == 3001.0
    assert "max_wait_s=900" in decision.reason


def test_zero_max_wait_never_waits() -> None:
    """max_wait_s=0 turns every rate-limit wait into an immediate failure."""
    policy = RetryPolicy(max_wait_s=0.0)
    decision = _decide(Outcome(status=429, headers={"retry-after": "1"}), policy=policy)
    assert (decision.action, decision.rate_limited) == ("fail", True)


def test_rate_limit_retries_are_bounded() -> None:
    """After max_rate_limit_retries waits the next refusal fails."""
    decision = _decide(Outcome(status=429, headers={"retry-after": "1"}), hits=3)
    assert decision.action == "fail"
    assert "3 waits already" in decision.reason


def test_rate_limits_do_not_consume_transient_tries() -> None:
    """A rate limit on the last transient attempt still waits."""
    decision = _decide(Outcome(status=429, headers={"retry-after": "1"}), attempt=5)
    assert decision.action == "retry"


def test_non_rate_limit_statuses_are_not_rate_limits() -> None:
    """rate_limit_wait ignores statuses other than 403/429 and plain permission 403s."""
    assert (
        rate_limit_wait(Outcome(status=500, headers={"retry-after": "3"}), NOW, 0, POLICY) is None
    )
    assert (
        rate_limit_wait(Outcome(status=403, message="Resource not accessible"), NOW, 0, POLICY)
        is None
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("Tue, 14 Nov 2023 22:13:30 GMT", 10.0),  # NOW is 2023-11-14 22:13:20 UTC
        ("Tue, 14 Nov 2023 22:13:30 -0000", 10.0),  # zone unknown: read as GMT
        ("Tuesday, 14-Nov-23 22:14:20 GMT", 60.0),  # RFC 850 form, which RFC 9110 accepts
        ("Mon, 13 Nov 2023 00:00:00 GMT", 0.0),  # in the past: now
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value: str, expected: float | None) -> None:
    """Retry-After is delay-seconds or an HTTP-date (RFC 9110 10.2.3); a past date is 0."""
    assert retry_after_s({"retry-after": value}, NOW) == expected


def test_retry_after_http_date_sets_the_rate_limit_wait() -> None:
    """A 429 whose Retry-After is a date 10 s ahead waits 10 s, not the 60 s fallback."""
    outcome = Outcome(status=429, headers={"retry-after": "Tue, 14 Nov 2023 22:13:30 GMT"})
    assert _decide(outcome) == RetryDecision(
        action="retry",
        delay_s=10.0,
        reason="secondary rate limit",
        rate_limited=True,
        secondary=True,
    )
