"""The request pipeline's branches as tables, over a scripted transport (no sockets)."""

from __future__ import annotations

import pytest
from conftest import FakeTime
from scripted import ScriptedTransport, Step

from aiogh_packages import (
    LocalRateBudget,
    MemoryETagCache,
    NotFoundAfterRetryError,
    NotFoundError,
    PackagesClient,
    RateLimitError,
    TransportError,
    UnsafeURLError,
)
from aiogh_packages._pipeline import HTTPCore, SendFault
from aiogh_packages._sansio.retry import RetryPolicy
from aiogh_packages.budget import RateBudget
from aiogh_packages.cache import ETagCache

BASE = "https://api.example.test"
URL = BASE + "/users/mona/packages/npm/lib"
OK: Step = (200, {"etag": '"v1"'}, b'{"ok": 1}')
LIMIT = {"x-ratelimit-limit": "60", "x-ratelimit-used": "60", "x-ratelimit-remaining": "0"}


def _core(
    transport: ScriptedTransport,
    time: FakeTime,
    *,
    cache: ETagCache | None = None,
    budget: RateBudget | None = None,
    write_interval_s: float = 0.0,
    max_wait_s: float = 900.0,
) -> HTTPCore:
    return HTTPCore(
        base_url=BASE,
        token="ghp_scripted",
        transport=transport,
        headers={},
        retry=RetryPolicy(max_tries=3, max_wait_s=max_wait_s),
        backoff_base_s=0.0,
        backoff_max_s=0.0,
        max_concurrency=4,
        rate_budget=budget,
        write_interval_s=write_interval_s,
        etag_cache=cache,
        sleep=time.sleep,
        clock=time,
        on_retry=None,
        on_wait=None,
    )


@pytest.mark.parametrize(
    ("location", "followed"),
    [
        ("/users/mona/packages/npm/lib2", BASE + "/users/mona/packages/npm/lib2"),
        (BASE + "/user/7/packages/npm/lib", BASE + "/user/7/packages/npm/lib"),
    ],
)
async def test_same_origin_redirect_is_followed_without_counting_an_attempt(
    location: str, followed: str
) -> None:
    """A 301/307 to the API origin is followed; the answer counts as attempt 1."""
    transport = ScriptedTransport([(301, {"location": location}, b""), OK])
    resp = await _core(transport, FakeTime()).request("GET", URL, template="t")
    assert (resp.status, resp.url, resp.attempts) == (200, followed, 1)
    assert [url for _, url, _ in transport.sent] == [URL, followed]


async def test_redirect_to_another_origin_is_refused_before_sending() -> None:
    """A redirect to a foreign host raises UnsafeURLError; nothing is sent there."""
    transport = ScriptedTransport([(302, {"location": "https://evil.test/x"}, b"")])
    with pytest.raises(UnsafeURLError):
        await _core(transport, FakeTime()).request("GET", URL, template="t")
    assert len(transport.sent) == 1


async def test_304_serves_the_cached_body_with_fresh_rate_limit_headers() -> None:
    """The second GET sends If-None-Match and a 304 answer returns the stored body, from_cache."""
    fresh = {**LIMIT, "x-ratelimit-remaining": "59", "x-ratelimit-reset": "1700009999"}
    transport = ScriptedTransport([OK, (304, fresh, b"")])
    core = _core(transport, FakeTime(), cache=MemoryETagCache())
    await core.request("GET", URL, template="t")
    resp = await core.request("GET", URL, template="t")
    assert (resp.status, resp.body, resp.from_cache) == (200, b'{"ok": 1}', True)
    assert resp.headers["x-ratelimit-remaining"] == "59" and resp.headers["etag"] == '"v1"'
    assert transport.sent[1][2]["If-None-Match"] == '"v1"'


@pytest.mark.parametrize(
    ("script", "error", "attempts"),
    [
        ([SendFault("payload", "cut"), (404, {}, b"{}")], NotFoundAfterRetryError, 2),
        ([(404, {}, b"{}")], NotFoundError, 1),
        ([SendFault("timeout", "slow")] * 3, TransportError, 3),
    ],
)
async def test_lost_answers_decide_the_error_of_a_delete(
    script: list[Step], error: type[Exception], attempts: int
) -> None:
    """A DELETE whose answer was lost and then 404s is NotFoundAfterRetryError; faults count."""
    transport = ScriptedTransport(script)
    with pytest.raises(error) as info:
        await _core(transport, FakeTime()).request("DELETE", URL, template="t")
    assert type(info.value) is error and getattr(info.value, "attempts", 0) == attempts


async def test_transport_error_keeps_its_kind_and_says_its_cause_once() -> None:
    """Tries used up on refused connections: kind 'connection', cause and count said once."""
    transport = ScriptedTransport([SendFault("connection", "connection refused")] * 3)
    with pytest.raises(TransportError) as info:
        await _core(transport, FakeTime()).request("GET", URL, template="t")
    text = str(info.value)
    assert info.value.kind == "connection" and text.count("connection refused") == 1
    assert "tries used" not in text and text.count("3 attempts") == 1


@pytest.mark.parametrize(
    ("headers", "sleeps"),
    [
        ({"retry-after": "7"}, [7.0]),
        ({"retry-after": "Tue, 14 Nov 2023 22:13:30 GMT"}, [10.0]),
        ({"retry-after": "Mon, 13 Nov 2023 00:00:00 GMT"}, [0.0]),
        ({**LIMIT, "x-ratelimit-reset": "1700000005"}, [6.0]),
    ],
)
async def test_rate_limit_answers_wait_as_told(
    headers: dict[str, str], sleeps: list[float]
) -> None:
    """429 Retry-After seconds or HTTP-date (past: now) and an exhausted 403 wait, then retry."""
    transport = ScriptedTransport([(429 if "retry-after" in headers else 403, headers, b"{}"), OK])
    time = FakeTime(start=1_700_000_000.0)
    resp = await _core(transport, time).request("GET", URL, template="t")
    assert resp.status == 200 and time.sleeps == sleeps


async def test_rate_limit_pause_is_recorded_in_the_shared_budget() -> None:
    """A secondary limit records a pause in the budget; another core on it holds back that long."""
    budget = LocalRateBudget()
    time = FakeTime()
    first = _core(ScriptedTransport([(429, {"retry-after": "30"}, b"{}"), OK]), time, budget=budget)
    await first.request("GET", URL, template="t")
    assert await budget.paused_until() == time.now
    time.now -= 10  # another process whose clock reads the pause as still 10 s ahead
    second = _core(ScriptedTransport([OK]), time, budget=budget)
    await second.request("GET", URL, template="t")
    assert time.sleeps == [30.0, 10.0]


@pytest.mark.parametrize(
    ("core_kwargs", "method", "wait"),
    [
        ({"budget": LocalRateBudget(5)}, "DELETE", "points-budget"),
        ({"write_interval_s": 1.0}, "DELETE", "write-interval"),
    ],
)
async def test_any_wait_beyond_max_wait_raises_before_sending(
    core_kwargs: dict[str, object], method: str, wait: str
) -> None:
    """With max_wait 0, a second write that would wait for pacing raises RateLimitError, unsent."""
    transport = ScriptedTransport([(204, {}, b"")])
    time = FakeTime()
    core = _core(transport, time, max_wait_s=0.0, **core_kwargs)  # type: ignore[arg-type]
    await core.request(method, URL, template="t")
    with pytest.raises(RateLimitError) as info:
        await core.request(method, URL, template="t")
    assert wait in str(info.value) and "max_wait=0" in str(info.value)
    assert time.sleeps == [] and len(transport.sent) == 1


async def test_exhausted_primary_limit_refuses_beyond_max_wait_without_sending() -> None:
    """After remaining 0 with the reset an hour ahead, the next request raises, unsent."""
    reset = {**LIMIT, "x-ratelimit-reset": "1700003600"}
    transport = ScriptedTransport([(200, reset, b"{}")])
    core = _core(transport, FakeTime(), max_wait_s=60.0)
    await core.request("GET", URL, template="t")
    with pytest.raises(RateLimitError) as info:
        await core.request("GET", URL, template="t")
    assert info.value.status == 403 and "primary-rate-limit wait" in str(info.value)
    assert len(transport.sent) == 1


async def test_closed_core_refuses_requests_and_closes_its_transport() -> None:
    """After close(), request() raises RuntimeError before sending."""
    transport = ScriptedTransport([])
    core = _core(transport, FakeTime())
    await core.close()
    with pytest.raises(RuntimeError, match="closed"):
        await core.request("GET", URL, template="t")
    assert transport.closed and transport.sent == []


def test_core_and_client_reprs_redact_secrets_in_base_url() -> None:
    """HTTPCore and PackagesClient reprs show base_url without secret query values."""
    secret = "https://api.example.test/api?access_token=s3cret"
    core = HTTPCore(
        base_url="https://u:pw@api.example.test",
        token="ghp_scripted",
        transport=ScriptedTransport([]),
        headers={},
        retry=RetryPolicy(),
        backoff_base_s=0.0,
        backoff_max_s=0.0,
        max_concurrency=1,
        rate_budget=None,
        write_interval_s=0.0,
        etag_cache=None,
        sleep=FakeTime().sleep,
        clock=FakeTime(),
        on_retry=None,
        on_wait=None,
    )
    assert "pw" not in repr(core) and "api.example.test" in repr(core)
    assert "s3cret" not in repr(PackagesClient("ghp_x", base_url=secret))


def test_client_refuses_a_base_url_with_userinfo_without_echoing_the_password() -> None:
    """A base_url carrying user:password@ raises ValueError whose text omits the password."""
    with pytest.raises(ValueError, match="user:password@") as caught:
        PackagesClient("ghp_x", base_url="https://bob:hunter2@api.example.test")
    assert "hunter2" not in str(caught.value)
