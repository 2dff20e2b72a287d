"""Secondary rate limits (in virtual time) and Link-header faults of the fake GitHub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from aiogh_packages.testing import FakeGitHub, Fault, ManualClock, Store, sample_store

HEADERS = {"Authorization": "Bearer t", "User-Agent": "limits-test"}
PACKAGE = "/users/octocat/packages/rubygems/octo-name"
VERSION = "/user/packages/container/hello_docker/versions/881"


@pytest.fixture
def clock() -> ManualClock:
    """The server's clock, moved by the test."""
    return ManualClock()


@pytest.fixture
async def gh(clock: ManualClock) -> AsyncIterator[FakeGitHub]:
    """The sample data with secondary limits on."""
    async with FakeGitHub(store=sample_store(), secondary_limits=True, clock=clock) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A session with a token and no connection cap."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(headers=HEADERS, connector=connector) as session:
        yield session


async def status_of(
    http: aiohttp.ClientSession, url: str, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one request."""
    async with http.request(method, url) as reply:
        return reply.status, dict(reply.headers), await reply.read()


async def test_901st_point_on_one_endpoint_is_a_secondary_limit_403(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """900 GETs (1 point each) pass in a minute; the next is 403 with Retry-After."""
    for _ in range(900):
        assert (await status_of(http, gh.base_url + PACKAGE))[0] == 200
    status, headers, body = await status_of(http, gh.base_url + PACKAGE)
    assert status == 403 and b"secondary rate limit" in body
    assert 1 <= int(headers["Retry-After"]) <= 60


async def test_other_endpoints_keep_their_own_points(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """Points are counted per endpoint: a spent one does not block another."""
    for _ in range(901):
        await status_of(http, gh.base_url + PACKAGE)
    status, _, _ = await status_of(http, gh.base_url + "/users/octocat/packages?package_type=npm")
    assert status == 200


async def test_moving_the_clock_a_minute_lifts_the_limit(
    gh: FakeGitHub, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """After the Retry-After has passed on the server's clock, the endpoint answers again."""
    for _ in range(901):
        await status_of(http, gh.base_url + PACKAGE)
    clock.advance(60)
    assert (await status_of(http, gh.base_url + PACKAGE))[0] == 200


async def test_81st_mutating_request_in_a_minute_is_blocked_from_content_creation(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """80 deletes and restores pass; the 81st is 403 "blocked from content creation"."""
    url = gh.base_url + VERSION
    for _ in range(40):
        assert (await status_of(http, url, "DELETE"))[0] == 204
        assert (await status_of(http, f"{url}/restore", "POST"))[0] == 204
    status, headers, body = await status_of(http, url, "DELETE")
    assert status == 403 and b"blocked from content creation" in body
    assert "Retry-After" in headers


async def test_101st_concurrent_request_is_a_429(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """With 100 requests in flight, one more is 429 with Retry-After."""
    gh.add_fault(Fault(kind="stall", delay_s=60, times=100))
    held = [asyncio.create_task(status_of(http, gh.base_url + PACKAGE)) for _ in range(100)]
    for _ in range(1000):
        if gh.max_in_flight >= 100:
            break
        await asyncio.sleep(0.01)
    status, headers, body = await status_of(http, gh.base_url + PACKAGE)
    for task in held:
        task.cancel()
    await asyncio.gather(*held, return_exceptions=True)
    assert status == 429 and b"secondary rate limit" in body and "Retry-After" in headers


async def test_secondary_limits_are_off_by_default(http: aiohttp.ClientSession) -> None:
    """Without secondary_limits the 81st mutating request in a minute still succeeds."""
    async with FakeGitHub(store=sample_store()) as server:
        url = server.base_url + VERSION
        for _ in range(41):
            await status_of(http, url, "DELETE")
            status, _, _ = await status_of(http, f"{url}/restore", "POST")
    assert status == 204


def _pages() -> Store:
    store = Store()
    store.add_user("pager")
    store.add_packages("pager", "npm", 5)
    return store


async def test_drop_link_fault_sends_a_full_page_without_link(
    http: aiohttp.ClientSession,
) -> None:
    """Fault.drop_link() removes the Link header of the next page only."""
    async with FakeGitHub(store=_pages()) as server:
        url = f"{server.base_url}/users/pager/packages?package_type=npm&per_page=2"
        server.add_fault(Fault.drop_link())
        _, first, body = await status_of(http, url)
        _, second, _ = await status_of(http, url)
    assert "Link" not in first and body.count(b'"name"') >= 2
    assert 'rel="next"' in second["Link"]


async def test_link_fault_sends_the_given_link_value(http: aiohttp.ClientSession) -> None:
    """Fault.link(value) replaces the Link header of the matching page."""
    async with FakeGitHub(store=_pages()) as server:
        url = f"{server.base_url}/users/pager/packages?package_type=npm&per_page=2"
        server.add_fault(Fault.link('<http://evil.invalid/x?page=2>; rel="next"'))
        _, headers, _ = await status_of(http, url)
    assert headers["Link"] == '<http://evil.invalid/x?page=2>; rel="next"'
