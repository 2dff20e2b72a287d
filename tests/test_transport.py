"""The aiohttp transport and the client's lifecycle over real loopback sockets."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from conftest import TOKEN, FakeTime, make_client

from aiogh_packages import (
    LocalRateBudget,
    NotFoundAfterRetryError,
    PackagesClient,
    RateLimitError,
    TransportError,
    WaitEvent,
)
from aiogh_packages.testing import FakeGitHub, Fault, Store


def _store() -> Store:
    store = Store()
    store.add_user("mona", id=7)
    store.add_packages("mona", "container", count=3)
    return store


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_borrowed_session_does_not_hide_a_resent_delete() -> None:
    """With a caller's session, a DELETE whose answer was lost is retried by the client, counted."""
    store = _store()
    store.add_package("mona", "npm", "lib")
    store.add_version("mona", "npm", "lib", name="1.0.0")
    v = store.add_version("mona", "npm", "lib", name="1.0.1")
    async with (
        FakeGitHub(store=store) as server,
        aiohttp.ClientSession() as session,
        make_client(server, session=session) as gh,
    ):
        server.add_fault(Fault(kind="truncate", method="DELETE"))
        with pytest.raises(NotFoundAfterRetryError) as info:
            await gh.delete_user_package_version("mona", "npm", "lib", v.id)
        assert info.value.attempts == 2
        assert not session.closed
    assert [r.method for r in server.requests] == ["DELETE", "DELETE"]


async def test_owned_session_does_not_hide_a_resent_delete() -> None:
    """With the client's own session, a DELETE whose answer was lost is retried and counted too."""
    store = _store()
    store.add_package("mona", "npm", "lib")
    store.add_version("mona", "npm", "lib", name="1.0.0")
    v = store.add_version("mona", "npm", "lib", name="1.0.1")
    async with FakeGitHub(store=store) as server, make_client(server) as gh:
        await gh.get_user_package("mona", "container", "package-0000")  # a kept-alive connection
        server.add_fault(Fault(kind="truncate", method="DELETE"))
        with pytest.raises(NotFoundAfterRetryError) as info:
            await gh.delete_user_package_version("mona", "npm", "lib", v.id)
        assert info.value.attempts == 2
    assert [r.method for r in server.requests] == ["GET", "DELETE", "DELETE"]


async def test_borrowed_session_keeps_its_own_middlewares() -> None:
    """A caller's session middleware still runs on every request the client sends through it."""

    async def tag(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        request.headers["X-Caller"] = "yes"
        return await handler(request)

    async with (
        FakeGitHub(store=_store()) as server,
        aiohttp.ClientSession(middlewares=(tag,)) as session,
        make_client(server, session=session) as gh,
    ):
        await gh.get_user_package("mona", "container", "package-0000")
    assert [r.headers.get("x-caller") for r in server.requests] == ["yes"]


async def test_calls_after_aclose_raise_before_sending() -> None:
    """After aclose(), a call raises RuntimeError and sends nothing."""
    async with FakeGitHub(store=_store()) as server:
        gh = make_client(server)
        await gh.get_user_package("mona", "container", "package-0000")
        await gh.aclose()
        server.clear_requests()
        with pytest.raises(RuntimeError, match="closed"):
            await gh.get_user_package("mona", "container", "package-0000")
        with pytest.raises(RuntimeError, match="closed"):
            await gh.with_options(max_wait=1).get_user_package("mona", "container", "package-0000")
        assert server.requests == []


async def test_retry_after_http_date_is_waited_until() -> None:
    """A 429 with Retry-After as an HTTP-date waits until that date, then retries."""
    time = FakeTime(start=1_700_000_000.0)  # 2023-11-14 22:13:20 UTC
    async with FakeGitHub(store=_store()) as server, make_client(server, time) as gh:
        server.add_fault(
            Fault(status=429, headers={"Retry-After": "Tue, 14 Nov 2023 22:13:25 GMT"})
        )
        await gh.get_user_package("mona", "container", "package-0000")
    assert time.sleeps == [5.0] and len(server.requests) == 2


async def test_writes_are_never_in_flight_together_but_reads_are() -> None:
    """Three concurrent DELETEs reach the server one at a time; three GETs overlap."""
    async with (
        FakeGitHub(store=_store(), latency_s=0.05) as server,
        make_client(server) as gh,
    ):
        names = [f"package-000{i}" for i in range(3)]
        await asyncio.gather(*(gh.delete_user_package("mona", "container", n) for n in names))
        assert server.max_in_flight == 1
        await asyncio.gather(*(gh.restore_user_package("mona", "container", n) for n in names))
        await asyncio.gather(*(gh.get_user_package("mona", "container", n) for n in names))
        assert server.max_in_flight > 1


async def test_max_wait_zero_refuses_the_points_budget_wait() -> None:
    """with_options(max_wait=0): the GET the points budget would hold raises, never sleeps."""
    time = FakeTime()
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, time, points_per_minute=5) as gh,
    ):
        quick = gh.with_options(max_wait=0)
        for _ in range(5):
            await quick.get_user_package("mona", "container", "package-0000")
        with pytest.raises(RateLimitError) as info:
            await quick.get_user_package("mona", "container", "package-0000")
    assert "points-budget wait" in str(info.value) and time.sleeps == []
    assert len(server.requests) == 5


async def test_connection_refused_says_its_cause_once() -> None:
    """A refused connection raises TransportError(kind='connection') naming the cause once."""
    gh = PackagesClient(
        TOKEN, base_url=f"http://127.0.0.1:{_closed_port()}", max_tries=2, backoff_base=0
    )
    async with gh:
        with pytest.raises(TransportError) as info:
            await gh.get_user_package("mona", "container", "package-0000")
    text = str(info.value)
    assert info.value.kind == "connection" and info.value.attempts == 2
    assert text.count("connection refused") == 1 and text.count("2 attempts") == 1
    assert "tries used" not in text


@pytest.mark.parametrize(("kind", "expected"), [("stall", "timeout"), ("truncate", "payload")])
async def test_transport_error_kind_names_the_fault(kind: str, expected: str) -> None:
    """A stalled answer is kind 'timeout'; a body cut short is kind 'payload'."""
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, timeout=0.2, max_tries=1) as gh,
    ):
        server.add_fault(Fault(kind=kind, delay_s=2.0, times=2))  # type: ignore[arg-type]
        with pytest.raises(TransportError) as info:
            await gh.get_user_package("mona", "container", "package-0000")
    assert info.value.kind == expected


async def test_shared_budget_pauses_a_second_client_after_a_secondary_limit() -> None:
    """A secondary limit met by one client holds back another client sharing its RateBudget."""
    time = FakeTime()
    budget = LocalRateBudget()
    waits: list[WaitEvent] = []
    async with (
        FakeGitHub(store=_store()) as server,
        make_client(server, time, rate_budget=budget, on_wait=waits.append) as second,
    ):

        async def first_sleep(seconds: float) -> None:  # the second asks while the first waits
            await second.get_user_package("mona", "container", "package-0001")

        async with make_client(server, clock=time, sleep=first_sleep, rate_budget=budget) as first:
            server.add_fault(Fault(status=429, headers={"Retry-After": "30"}))
            await first.get_user_package("mona", "container", "package-0000")
    assert [(e.reason, e.delay_s) for e in waits] == [("rate-limit-pause", 30.0)]
    assert time.sleeps == [30.0] and len(server.requests) == 3


def test_library_logger_has_a_null_handler() -> None:
    """The aiogh_packages logger carries a NullHandler, so records never reach lastResort."""
    handlers = logging.getLogger("aiogh_packages").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


# The first loop's kept-alive socket cannot be closed from another loop: that is the
# user's mistake this test makes on purpose, so its ResourceWarning is expected here.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_client_used_in_a_second_event_loop_raises_a_clear_error() -> None:
    """A module-level client used in a second asyncio.run raises RuntimeError naming the loop."""
    with FakeGitHub.in_thread(store=_store()) as server:
        gh = make_client(server)

        async def get() -> None:
            await gh.get_user_package("mona", "container", "package-0000")

        async def second() -> None:
            with pytest.raises(RuntimeError, match="another event loop"):
                await get()

        async def first() -> None:
            await get()

        asyncio.run(first())
        asyncio.run(second())
        asyncio.run(gh.aclose())
        gc.collect()
        assert len(server.requests) == 1


@pytest.fixture
async def proxy(server: FakeGitHub) -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback HTTP proxy that records each request's URL and forwards it to the fake."""
    seen: list[str] = []

    async def forward(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        target = server.base_url + request.rel_url.path_qs
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with (
            aiohttp.ClientSession() as session,
            session.request(request.method, target, headers=headers) as resp,
        ):
            body = await resp.read()
            keep = {k: v for k, v in resp.headers.items() if k.lower() not in _HOP}
            return web.Response(status=resp.status, body=body, headers=keep)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


_HOP = {"content-length", "content-encoding", "transfer-encoding", "connection"}


async def test_http_proxy_from_the_environment_is_used(
    server: FakeGitHub, proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTP_PROXY set, the client's own session sends through the proxy."""
    url, seen = proxy
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", url)
    async with make_client(server) as gh:
        await gh.auth_status()
    assert len(seen) == 1 and len(server.requests) == 1


async def test_no_proxy_bypasses_the_proxy(
    server: FakeGitHub, proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With NO_PROXY naming the API host, requests go straight to it."""
    url, seen = proxy
    monkeypatch.setenv("HTTP_PROXY", url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with make_client(server) as gh:
        await gh.auth_status()
    assert seen == [] and len(server.requests) == 1
