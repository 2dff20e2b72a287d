"""Retries, rate limits, timeouts and resumable listings, with faults scripted on the fake GitHub."""

from __future__ import annotations

import asyncio
import logging

import pytest
from conftest import TOKEN, FakeTime, make_client

from aiogh_packages import (
    AuthError,
    ForbiddenError,
    NotFoundAfterRetryError,
    NotFoundError,
    PackagesClient,
    RateLimitError,
    RetryEvent,
    ServerError,
    TransportError,
    ValidationFailed,
    WaitEvent,
)
from aiogh_packages.testing import FakeGitHub, Fault, Store

PER_PAGE = 10
PAGES = 10
SECONDARY = {
    "message": "You have exceeded a secondary rate limit. Please wait.",
    "documentation_url": "https://docs.github.com/rest",
}


def _store() -> Store:
    store = Store()
    store.add_user("mona", id=7)
    store.add_packages("mona", "container", count=PER_PAGE * PAGES)
    return store


async def _ids(gh: PackagesClient) -> list[int]:
    return [p.id async for p in gh.iter_user_packages("mona", "container", per_page=PER_PAGE)]


@pytest.mark.parametrize("prefetch", [1, 4])
async def test_each_fault_once_on_a_different_page_leaves_the_listing_exact(prefetch: int) -> None:
    """500, 502 HTML, 503, 504, reset, truncated body and a stall on pages 2-8: same items as fault-free."""
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, timeout=0.5, prefetch_window=prefetch) as gh,
    ):
        expected = await _ids(gh)
        server.clear_requests()
        faults = [
            Fault(status=500),
            Fault(
                status=502,
                body=b"<html><h1>502 Bad Gateway</h1></html>",
                headers={"Content-Type": "text/html"},
            ),
            Fault(status=503),
            Fault(status=504),
            Fault(kind="drop"),
            Fault(kind="truncate"),
            Fault(kind="stall", delay_s=3.0),
        ]
        for page, fault in enumerate(faults, start=2):
            server.add_fault(
                Fault(
                    status=fault.status,
                    body=fault.body,
                    headers=fault.headers,
                    kind=fault.kind,
                    delay_s=fault.delay_s,
                    query={"page": str(page)},
                )
            )
        assert await _ids(gh) == expected
        assert len(expected) == PER_PAGE * PAGES == len(set(expected))
        assert len(server.requests) == PAGES + len(faults)


@pytest.mark.parametrize(
    ("fault", "wait"),
    [
        (Fault(status=429, headers={"Retry-After": "1"}), 1.0),
        (Fault(status=403, body=SECONDARY, headers={"Retry-After": "7"}), 7.0),
        (Fault(status=403, body=SECONDARY), 60.0),
    ],
)
async def test_rate_limit_waits_exactly_as_told(fault: Fault, wait: float) -> None:
    """429 Retry-After, secondary 403 with and without Retry-After wait the time GitHub asks."""
    time = FakeTime()
    events: list[WaitEvent] = []
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, time, on_wait=events.append) as gh,
    ):
        server.add_fault(fault)
        pkg = await gh.get_user_package("mona", "container", "package-0000")
    assert pkg.name == "package-0000"
    assert time.sleeps == [wait]
    assert [e.reason for e in events] == ["secondary-rate-limit"]
    assert len(server.requests) == 2


async def test_primary_limit_waits_until_reset_plus_one_second() -> None:
    """403 with x-ratelimit-remaining 0 and reset two seconds ahead retries no earlier than reset + 1 s."""
    time = FakeTime()
    async with FakeGitHub(store=_store()) as server, make_client(server, time) as gh:
        reset = int(time.now) + 2
        server.add_fault(
            Fault(
                status=403,
                body={"message": "API rate limit exceeded for user ID 7."},
                headers={
                    "x-ratelimit-remaining": "0",
                    "x-ratelimit-limit": "5000",
                    "x-ratelimit-reset": str(reset),
                },
            )
        )
        await gh.get_user_package("mona", "container", "package-0000")
    assert time.sleeps == [3.0]
    assert time.now >= reset + 1


async def test_exhausted_primary_limit_holds_every_task_and_is_never_hammered() -> None:
    """When remaining reaches 0, two concurrent listings both wait for the reset and no request is refused."""
    time = FakeTime()
    waits: list[WaitEvent] = []
    async with (
        FakeGitHub(store=_store(), rate_limit=6, clock=time) as server,
        make_client(server, time, prefetch_window=1, max_wait=4000, on_wait=waits.append) as gh,
    ):
        first, second = await asyncio.gather(_ids(gh), _ids(gh))
    assert first == second and len(first) == PER_PAGE * PAGES
    assert len(server.requests) == 2 * PAGES  # not one request was refused and retried
    assert sum(e.reason == "primary-rate-limit" for e in waits) >= 2
    assert all(s > 3000 for s in time.sleeps)


async def test_wait_beyond_max_wait_raises_saying_when_it_resets() -> None:
    """A per-call max_wait of 0 turns a 429 into RateLimitError at once, after one request."""
    time = FakeTime()
    async with FakeGitHub(store=_store()) as server, make_client(server, time) as gh:
        server.add_fault(Fault(status=429, headers={"Retry-After": "30"}))
        with pytest.raises(RateLimitError) as info:
            await gh.with_options(max_wait=0).get_user_package("mona", "container", "package-0000")
    assert info.value.retry_after_s == 30.0 and info.value.secondary
    assert "resets at" in str(info.value)
    assert time.sleeps == [] and len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"message": "Bad credentials"}, AuthError),
        (403, {"message": "Must have admin rights to Repository."}, ForbiddenError),
        (404, {"message": "Not Found"}, NotFoundError),
        (422, {"message": "Validation Failed"}, ValidationFailed),
    ],
)
async def test_client_errors_raise_at_once(
    status: int, body: object, error: type[Exception]
) -> None:
    """401, permission 403, 404 and 422 are never retried: exactly one request."""
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        server.add_fault(Fault(status=status, body=body, times=3))
        with pytest.raises(error):
            await gh.get_user_package("mona", "container", "package-0000")
        assert len(server.requests) == 1


async def test_exhausted_retries_name_the_page_and_resume_completes_without_duplicates() -> None:
    """Five 503s on page 3 raise ServerError naming page 3; resuming from it finishes the listing."""
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, max_tries=5, prefetch_window=1) as gh,
    ):
        expected = await _ids(gh)
        server.add_fault(Fault(status=503, times=5, query={"page": "3"}))
        got: list[int] = []
        with pytest.raises(ServerError) as info:
            async for pkg in gh.iter_user_packages("mona", "container", per_page=PER_PAGE):
                got.append(pkg.id)
        err = info.value
        assert err.attempts == 5 and "page=3" in err.url and "after 5 attempts" in str(err)
        assert len(got) == 2 * PER_PAGE
        got += [p.id async for p in gh.iter_packages_from_url(err.url)]
    assert got == expected


async def test_transport_faults_exhausted_raise_transport_error() -> None:
    """A connection dropped on every attempt raises TransportError with the attempt count."""
    async with FakeGitHub(store=_store()) as server, make_client(server, max_tries=3) as gh:
        server.add_fault(Fault(kind="drop", times=3))
        with pytest.raises(TransportError) as info:
            await gh.get_user_package("mona", "container", "package-0000")
    assert info.value.attempts == 3 and isinstance(info.value.__cause__, Exception)


async def test_invalid_json_on_200_is_a_decode_error_without_retry() -> None:
    """A 200 whose body is not JSON raises DecodeError after a single request."""
    from aiogh_packages import DecodeError

    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        server.add_fault(Fault(status=200, body=b"<html>oops</html>"))
        with pytest.raises(DecodeError):
            await gh.get_user_package("mona", "container", "package-0000")
        assert len(server.requests) == 1


async def test_delete_retried_after_a_lost_answer_reports_not_found_after_retry() -> None:
    """A DELETE applied but whose answer was cut off, then retried, raises NotFoundAfterRetryError."""
    store = _store()
    store.add_package("mona", "npm", "lib")
    store.add_version("mona", "npm", "lib", name="1.0.0")
    v = store.add_version("mona", "npm", "lib", name="1.0.1")
    async with FakeGitHub(store=store) as server, make_client(server) as gh:
        server.add_fault(Fault(kind="truncate", method="DELETE"))
        with pytest.raises(NotFoundAfterRetryError) as info:
            await gh.delete_user_package_version("mona", "npm", "lib", v.id)
        assert isinstance(info.value, NotFoundError)
        assert [r.method for r in server.requests] == ["DELETE", "DELETE"]
        with pytest.raises(NotFoundError) as plain:
            await gh.delete_user_package_version("mona", "npm", "lib", 99999999)
        assert type(plain.value) is NotFoundError


async def test_points_budget_holds_requests_beyond_the_minute_budget() -> None:
    """With points_per_minute=10, the eleventh GET waits for the window; DELETEs cost five."""
    time = FakeTime()
    waits: list[WaitEvent] = []
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, time, points_per_minute=10, on_wait=waits.append) as gh,
    ):
        for _ in range(11):
            await gh.get_user_package("mona", "container", "package-0000")
    assert [e.reason for e in waits] == ["points-budget"]
    assert 59 < sum(time.sleeps) <= 60.01


async def test_write_interval_spaces_mutating_requests() -> None:
    """Three deletes with write_interval=1 are sent at least a second apart; reads are not held."""
    time = FakeTime()
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, time, write_interval=1.0) as gh,
    ):
        for i in range(3):
            await gh.delete_user_package("mona", "container", f"package-000{i}")
            await gh.get_user_package("mona", "container", "package-0009")
    assert time.sleeps == [pytest.approx(1.0), pytest.approx(1.0)]


async def test_retries_are_logged_and_hooked(caplog: pytest.LogCaptureFixture) -> None:
    """Each retry is logged on the aiogh_packages logger and passed to on_retry, without the token."""
    caplog.set_level(logging.INFO, logger="aiogh_packages")
    retries: list[RetryEvent] = []
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, on_retry=retries.append) as gh,
    ):
        server.add_fault(Fault(status=502, times=2))
        await gh.get_user_package("mona", "container", "package-0000")
    assert [(e.attempt, e.reason) for e in retries] == [(1, "HTTP 502"), (2, "HTTP 502")]
    assert caplog.text.count("retrying GET") == 2
    assert TOKEN not in caplog.text


async def test_backoff_delays_grow_exponentially_with_jitter() -> None:
    """With backoff_base=1 the waits before retries 1..3 stay within 1, 2 and 4 seconds."""
    time = FakeTime()
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, time, backoff_base=1.0) as gh,
    ):
        server.add_fault(Fault(status=500, times=3))
        await gh.get_user_package("mona", "container", "package-0000")
    assert len(time.sleeps) == 3
    assert all(0 <= s <= cap for s, cap in zip(time.sleeps, [1, 2, 4]))
