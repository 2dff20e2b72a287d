"""Listings over loopback HTTP: Link loops, full pages without Link, credentials, adaptive prefetch."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from conftest import TOKEN, make_client

from aiogh_packages import PackagesClient, UnsafeURLError
from aiogh_packages.errors import LinkLoopError
from aiogh_packages.testing import FakeGitHub, Fault, Store

LinkFor = Callable[[str, int, int], str | None]
"""(origin, page, last page) -> the Link header of that page, or None for none."""


def _package(number: int) -> dict[str, object]:
    return {
        "id": number,
        "name": f"pkg-{number}",
        "package_type": "container",
        "url": f"https://api.github.com/users/octocat/packages/container/pkg-{number}",
        "html_url": f"https://github.com/users/octocat/packages/container/package/pkg-{number}",
        "version_count": 1,
        "visibility": "public",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }


class PageServer:
    """A loopback app serving ``total`` packages of octocat, with a Link header of our choosing."""

    def __init__(self, total: int, link_for: LinkFor) -> None:
        self.total = total
        self.link_for = link_for
        self.pages: list[int] = []  # the page number of every request, in order
        app = web.Application()
        app.router.add_get("/users/octocat/packages", self._handle)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        per_page = int(request.query.get("per_page", "30"))
        page = int(request.query.get("page", "1"))
        self.pages.append(page)
        numbers = range((page - 1) * per_page + 1, min(page * per_page, self.total) + 1)
        last = max(1, -(-self.total // per_page))
        link = self.link_for(self.origin, page, last)
        return web.json_response(
            [_package(n) for n in numbers], headers={} if link is None else {"Link": link}
        )


@contextlib.asynccontextmanager
async def _serve(total: int, link_for: LinkFor) -> AsyncIterator[tuple[PageServer, PackagesClient]]:
    pages = PageServer(total, link_for)
    await pages.server.start_server()
    try:
        async with PackagesClient(
            TOKEN, base_url=pages.origin, backoff_base=0, points_per_minute=None
        ) as gh:
            yield pages, gh
    finally:
        await pages.server.close()


def _no_link(origin: str, page: int, last: int) -> str | None:
    return None


async def _ids(gh: PackagesClient, per_page: int = 100, cap: int = 1000) -> list[int]:
    ids: list[int] = []
    async for package in gh.iter_user_packages("octocat", "container", per_page=per_page):
        ids.append(package.id)
        if len(ids) >= cap:  # a listing that never ends must not hang the test
            break
    return ids


async def test_full_pages_without_link_are_followed_by_page_number_until_a_short_page() -> None:
    """Full pages that carry no Link are followed with page=N+1 until a short page ends it."""
    async with _serve(250, _no_link) as (pages, gh):
        assert await _ids(gh) == list(range(1, 251))
        assert pages.pages == [1, 2, 3]


async def test_exactly_full_listing_without_link_ends_at_the_empty_page() -> None:
    """A listing of exactly per_page items without Link costs one more request, an empty page."""
    async with _serve(200, _no_link) as (pages, gh):
        assert await _ids(gh) == list(range(1, 201))
        assert pages.pages == [1, 2, 3]


async def test_short_page_without_link_is_the_last() -> None:
    """A page shorter than per_page without Link ends the listing with no further request."""
    async with _serve(42, _no_link) as (pages, gh):
        assert len(await _ids(gh)) == 42
        assert pages.pages == [1]


async def test_full_page_without_link_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """Following by page number is not silent: a warning names the page (without the token)."""
    async with _serve(150, _no_link) as (_, gh):
        with caplog.at_level(logging.WARNING, logger="aiogh_packages"):
            await _ids(gh)
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "without a Link header" in warnings[0]
        assert TOKEN not in caplog.text


async def test_single_full_page_without_link_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """Exactly per_page items in one Link-less page is GitHub's normal answer: no warning."""
    async with _serve(100, _no_link) as (pages, gh):
        with caplog.at_level(logging.WARNING, logger="aiogh_packages"):
            assert len(await _ids(gh)) == 100
        assert pages.pages == [1, 2] and caplog.records == []


async def test_full_page_whose_link_has_no_next_is_the_last() -> None:
    """A Link header without rel=next (GitHub's last page) ends the listing even when full."""

    def prev_only(origin: str, page: int, last: int) -> str | None:
        return f'<{origin}/users/octocat/packages?per_page=100&page=1>; rel="first"'

    async with _serve(300, prev_only) as (pages, gh):
        assert len(await _ids(gh)) == 100
        assert pages.pages == [1]


async def test_next_link_back_to_a_fetched_page_raises_link_loop_error() -> None:
    """A next link to a page already fetched raises LinkLoopError before requesting it again."""

    def back_to_two(origin: str, page: int, last: int) -> str | None:
        return f'<{origin}/users/octocat/packages?per_page=10&page=2>; rel="next"'

    async with _serve(300, back_to_two) as (pages, gh):
        with pytest.raises(LinkLoopError):
            await _ids(gh, per_page=10)
        assert pages.pages == [1, 2]


async def test_link_loop_error_names_the_url_redacted() -> None:
    """The loop error names the repeated URL with its secret parameters hidden."""

    def loop(origin: str, page: int, last: int) -> str | None:
        return (
            f'<{origin}/users/octocat/packages?per_page=10&page=1&access_token=s3cret>; rel="next"'
        )

    async with _serve(300, loop) as (_, gh):
        with pytest.raises(LinkLoopError) as info:
            await _ids(gh, per_page=10)
        assert "page=1&access_token=***" in info.value.url
        assert "s3cret" not in str(info.value) and "s3cret" not in repr(info.value)


async def test_link_with_credentials_on_the_api_origin_is_refused(server: FakeGitHub) -> None:
    """A next link with user:password@ on the API host raises UnsafeURLError, not ValueError."""
    async with make_client(server) as gh:
        host = server.base_url.removeprefix("http://")
        link = f'<http://bob:s3cret@{host}/user/1/packages?page=2>; rel="next"'
        server.add_fault(Fault(status=200, body=[], headers={"Link": link}, method="GET"))
        with pytest.raises(UnsafeURLError) as info:
            [p async for p in gh.iter_user_packages("octocat", "rubygems")]
        assert "s3cret" not in str(info.value) and "bob" not in repr(info.value)
        assert len(server.requests) == 1


async def test_link_with_credentials_to_a_foreign_host_never_shows_the_password(
    server: FakeGitHub,
) -> None:
    """Refusing a foreign userinfo link shows neither the user nor the password."""
    async with make_client(server) as gh:
        link = '<http://bob:s3cret@evil.example/user/1/packages?page=2>; rel="next"'
        server.add_fault(Fault(status=200, body=[], headers={"Link": link}, method="GET"))
        with pytest.raises(UnsafeURLError) as info:
            [p async for p in gh.iter_user_packages("octocat", "rubygems")]
        assert "s3cret" not in str(info.value) and "bob" not in str(info.value)


async def test_listing_and_page_reprs_hide_secrets(server: FakeGitHub) -> None:
    """A Listing and its Pages show URLs without secret query values."""
    async with make_client(server) as gh:
        listing = gh.iter_packages_from_url(
            server.base_url + "/users/octocat/packages?package_type=rubygems&token=s3cret"
        )
        assert "s3cret" not in repr(listing)
        shown = [repr(page) async for page in listing.pages()]
        assert shown and all("s3cret" not in r and "token=***" in r for r in shown)


def _store(packages: int) -> Store:
    store = Store()
    store.add_user("user-0", id=1000)
    store.add_packages("user-0", "container", count=packages)
    return store


async def test_adaptive_prefetch_widens_while_the_consumer_waits_on_the_network() -> None:
    """With latency and a fast consumer the default window grows past its start of two."""
    async with FakeGitHub(store=_store(300)) as server, make_client(server) as gh:
        server.latency_s = 0.02
        ids = [p.id async for p in gh.iter_user_packages("user-0", "container", per_page=10)]
        assert len(ids) == 300 and ids == sorted(ids)
        assert 2 < server.max_in_flight <= gh.max_concurrency


async def test_adaptive_prefetch_stays_narrow_for_a_consumer_slower_than_the_network() -> None:
    """When every page is ready before it is wanted, the window never opens wide.

    The first page is always waited for; on a loaded machine that wait can look like network
    time and widen the window once (2 -> 4), never further. A fixed window of
    ``max_concurrency`` (8) would have all five later pages in flight at once.
    """
    async with FakeGitHub(store=_store(60)) as server, make_client(server) as gh:
        server.latency_s = 0.005
        ids = []
        async for page in gh.iter_user_packages("user-0", "container", per_page=10).pages():
            ids += [p.id for p in page.items]
            await asyncio.sleep(0.1)  # the consumer's own work, far longer than a round trip
        assert ids == sorted(ids) and len(ids) == 60
        assert server.max_in_flight <= 4


async def test_fixed_prefetch_window_is_used_from_the_start() -> None:
    """prefetch_window=N keeps N pages in flight even for a slow consumer."""
    async with (
        FakeGitHub(store=_store(60)) as server,
        make_client(server, prefetch_window=5, max_concurrency=8) as gh,
    ):
        server.latency_s = 0.02
        async for _ in gh.iter_user_packages("user-0", "container", per_page=10).pages():
            await asyncio.sleep(0.05)
        assert 2 < server.max_in_flight <= 5


async def test_link_split_over_two_header_lines_is_one_list() -> None:
    """A Link field sent as two lines (next, then last) is read whole: no page is dropped."""
    from multidict import CIMultiDict

    calls: list[int] = []

    async def handle(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        calls.append(page)
        numbers = range((page - 1) * 100 + 1, min(page * 100, 250) + 1)
        headers: CIMultiDict[str] = CIMultiDict()
        base = f"http://127.0.0.1:{request.url.port}/users/octocat/packages?per_page=100"
        if page < 3:
            headers.add("Link", f'<{base}&page={page + 1}>; rel="next"')
            headers.add("Link", f'<{base}&page=3>; rel="last"')
        return web.json_response([_package(n) for n in numbers], headers=headers)

    app = web.Application()
    app.router.add_get("/users/octocat/packages", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with PackagesClient(
            TOKEN, base_url=f"http://127.0.0.1:{server.port}", backoff_base=0,
            points_per_minute=None, prefetch_window=1,
        ) as gh:  # fmt: skip
            assert await _ids(gh) == list(range(1, 251))
        assert calls == [1, 2, 3]
    finally:
        await server.close()


def _github_link(origin: str, page: int, last: int) -> str | None:
    url = f"{origin}/users/octocat/packages?package_type=container&per_page=10&page="
    links = [f'<{url}{page + 1}>; rel="next"', f'<{url}{last}>; rel="last"'] if page < last else []
    return ", ".join(links) or None


async def test_anext_and_async_for_continue_one_another() -> None:
    """``anext(listing)`` and ``async for`` share one position: no item twice, none skipped."""
    async with _serve(35, _github_link) as (_, gh):
        listing = gh.iter_user_packages("octocat", "container", per_page=10)
        first = [(await anext(listing)).id for _ in range(12)]
        rest = []
        async for package in listing:
            rest.append(package.id)
            if len(rest) == 3:
                break
        rest += [(await anext(listing)).id]
        rest += [package.id async for package in listing]
        with pytest.raises(StopAsyncIteration):
            await anext(listing)
    assert first + rest == list(range(1, 36))


async def test_aclose_in_the_middle_of_a_page_stops_the_fetches_in_flight() -> None:
    """Closing a listing part-way through a page cancels its prefetch; nothing more is asked."""
    async with _serve(100, _github_link) as (pages, gh):
        listing = gh.iter_user_packages("octocat", "container", per_page=10)
        seen = [(await anext(listing)).id for _ in range(15)]
        await listing.aclose()
        asked = len(pages.pages)
        await asyncio.sleep(0.05)
        assert len(pages.pages) == asked
        with pytest.raises(StopAsyncIteration):
            await anext(listing)
    assert seen == list(range(1, 16))


async def test_a_listing_dropped_mid_way_closes_quietly() -> None:
    """``break`` out of a prefetching listing and drop it: no loop errors, no fetch left running.

    Before, the nested page generators were each finalized on their own and one was closed
    twice ("aclose(): asynchronous generator is already running", logged by the loop).
    """
    loop = asyncio.get_running_loop()
    errors: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _, context: errors.append(context))
    try:
        async with _serve(100, _github_link) as (pages, gh):
            for _ in range(3):
                async for _package in gh.iter_user_packages("octocat", "container", per_page=10):
                    break
                gc.collect()
                for _ in range(5):
                    await asyncio.sleep(0.01)
            asked = len(pages.pages)
            await asyncio.sleep(0.05)
            assert len(pages.pages) == asked
    finally:
        loop.set_exception_handler(None)
    assert [str(e.get("exception") or e.get("message")) for e in errors] == []
