"""Prefetch, fan-out and conditional requests: order, completeness, bounds and clean cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from conftest import make_client, other_tasks, users_store

from aiogh_packages import (
    FanOutError,
    FanOutItem,
    MemoryETagCache,
    NotFoundError,
)
from aiogh_packages.testing import FakeGitHub, Fault, Store


def _store(owners: int = 1, packages: int = 200) -> Store:
    return users_store(owners, packages)


async def test_prefetch_yields_every_item_in_page_order_within_the_concurrency_limit() -> None:
    """With rel=last known, pages are fetched concurrently but items arrive in order, and in-flight stays bounded."""
    async with (
        FakeGitHub(store=_store(packages=200)) as server,
        make_client(server, max_concurrency=3, prefetch_window=6) as gh,
    ):
        server.latency_s = 0.02
        ids = [p.id async for p in gh.iter_user_packages("user-0", "container", per_page=10)]
        assert len(ids) == 200 and ids == sorted(ids)
        assert 1 < server.max_in_flight <= 3
        assert len(server.requests) == 20


async def test_without_last_link_listing_is_sequential() -> None:
    """When the first page has no rel=last the listing follows next links one at a time."""
    async with (
        FakeGitHub(store=_store(packages=30)) as server,
        make_client(server, max_concurrency=8) as gh,
    ):
        server.latency_s = 0.01
        nxt = f'<{server.base_url}/user/1000/packages?package_type=container&per_page=10&page=2>; rel="next"'
        server.add_fault(Fault(status=200, body=[], headers={"Link": nxt}, query={"page": "1"}))
        server.add_fault(Fault(status=200, body=[], headers={}, query={"page": "2"}))
        pages = [p async for p in gh.iter_user_packages("user-0", "container", per_page=10).pages()]
        assert len(pages) == 1  # an empty first page ends the listing
        assert server.max_in_flight == 1


async def test_prefetch_off_keeps_one_request_in_flight() -> None:
    """prefetch_window=1 (via with_options) fetches strictly one page at a time."""
    async with (
        FakeGitHub(store=_store(packages=50)) as server,
        make_client(server, max_concurrency=8) as gh,
    ):
        server.latency_s = 0.01
        ids = [
            p.id
            async for p in gh.with_options(prefetch_window=1).iter_user_packages(
                "user-0", "container", per_page=10
            )
        ]
        assert len(ids) == 50 and server.max_in_flight == 1


async def test_breaking_out_of_a_prefetching_listing_leaves_no_tasks() -> None:
    """Leaving the loop early cancels and awaits the prefetches in flight: no stray tasks."""
    async with (
        FakeGitHub(store=_store(packages=300)) as server,
        make_client(server, prefetch_window=4) as gh,
    ):
        server.latency_s = 0.05
        async with contextlib.aclosing(
            gh.iter_user_packages("user-0", "container", per_page=10)
        ) as items:
            async for pkg in items:
                if pkg.id:
                    break
        assert other_tasks() == set()
        assert len(server.requests) <= 1 + 4


async def test_cancelling_a_prefetching_consumer_leaves_no_tasks() -> None:
    """Cancelling the task that iterates a listing cancels its fetches too."""
    async with FakeGitHub(store=_store(packages=300)) as server, make_client(server) as gh:
        server.latency_s = 0.05
        started = asyncio.Event()

        async def consume() -> None:
            async for _ in gh.iter_user_packages("user-0", "container", per_page=10):
                started.set()

        task = asyncio.ensure_future(consume())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0)
        assert other_tasks() == set()


async def test_fan_out_reports_failed_owners_and_finishes_the_rest() -> None:
    """A missing owner is reported once as FanOutError; every other owner's packages arrive tagged."""
    async with (
        FakeGitHub(store=_store(owners=12, packages=15)) as server,
        make_client(server, max_concurrency=4) as gh,
    ):
        names = [f"user-{i}" for i in range(12)] + ["ghost"]
        items: dict[str, list[int]] = {}
        errors: list[FanOutError[str]] = []
        async for result in gh.fan_out_user_packages(names, "container", per_page=10):
            if isinstance(result, FanOutItem):
                items.setdefault(result.owner, []).append(result.item.id)
            else:
                errors.append(result)
        assert sorted(items) == sorted(names[:-1])
        assert all(len(ids) == 15 == len(set(ids)) for ids in items.values())
        assert [e.owner for e in errors] == ["ghost"] and isinstance(errors[0].error, NotFoundError)
        assert server.max_in_flight <= 4


async def test_fan_out_fail_fast_raises_the_first_error() -> None:
    """fail_fast=True raises the owner's error and leaves no worker running."""
    async with FakeGitHub(store=_store(owners=3, packages=5)) as server, make_client(server) as gh:
        with pytest.raises(NotFoundError):
            async for _ in gh.fan_out_user_packages(
                ["ghost", "user-0", "user-1"], "container", fail_fast=True, concurrency=1
            ):
                pass
        assert other_tasks() == set()


async def test_fan_out_consumes_a_huge_owner_list_lazily() -> None:
    """100,000 owners given as a generator are pulled only as workers free up."""
    pulled = 0

    def owners() -> Iterator[str]:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield f"user-{i % 2}"

    async with (
        FakeGitHub(store=_store(owners=2, packages=3)) as server,
        make_client(server, max_concurrency=4) as gh,
    ):
        seen = 0
        async with contextlib.aclosing(gh.fan_out_user_packages(owners(), "container")) as results:
            async for _ in results:
                seen += 1
                if seen == 30:
                    break
        assert pulled < 100
        assert other_tasks() == set()


async def test_cancelling_a_fan_out_consumer_cancels_every_worker() -> None:
    """Cancellation of the consumer cancels all workers cleanly."""
    async with FakeGitHub(store=_store(owners=8, packages=50)) as server, make_client(server) as gh:
        server.latency_s = 0.05
        got_one = asyncio.Event()

        async def consume() -> None:
            async for _ in gh.fan_out_user_packages(
                [f"user-{i}" for i in range(8)], "container", per_page=10
            ):
                got_one.set()

        task = asyncio.ensure_future(consume())
        await got_one.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0)
        assert other_tasks() == set()


async def test_generic_fan_out_lists_versions_of_many_packages() -> None:
    """The generic primitive takes any per-owner listing, e.g. versions of several packages."""
    store = _store(owners=1, packages=0)
    for name in ("a", "b", "c"):
        store.add_package("user-0", "npm", name)
        for i in range(4):
            store.add_version("user-0", "npm", name, name=f"1.0.{i}")
    async with FakeGitHub(store=store) as server, make_client(server) as gh:
        results = [
            r
            async for r in gh.fan_out(
                ["a", "b", "c"], lambda n: gh.iter_user_package_versions("user-0", "npm", n)
            )
        ]
    assert sorted((r.owner, r.item.name) for r in results if isinstance(r, FanOutItem)) == [
        (n, f"1.0.{i}") for n in "abc" for i in range(4)
    ]


async def test_etag_cache_turns_a_repeat_listing_into_304s_served_from_cache() -> None:
    """A second listing sends If-None-Match for every page, gets 304s and keeps items and links."""
    cache = MemoryETagCache(maxsize=16)
    async with (
        FakeGitHub(store=_store(packages=25)) as server,
        make_client(server, etag_cache=cache) as gh,
    ):
        first = [p async for p in gh.iter_user_packages("user-0", "container", per_page=10).pages()]
        remaining_before = gh.rate_limit.remaining if gh.rate_limit else None
        server.clear_requests()
        second = [
            p async for p in gh.iter_user_packages("user-0", "container", per_page=10).pages()
        ]
        assert [p.items for p in second] == [p.items for p in first]
        assert [p.links for p in second] == [p.links for p in first]
        assert all(p.from_cache for p in second) and not any(p.from_cache for p in first)
        assert all("if-none-match" in r.headers for r in server.requests)
        assert len(cache) == 3
        server.clear_requests()
        await gh.get_user_package("user-0", "container", "package-0000")
        assert gh.rate_limit is not None and gh.rate_limit.remaining == (remaining_before or 0) - 1


async def test_etag_cache_is_off_by_default() -> None:
    """Without etag_cache no conditional headers are sent."""
    async with FakeGitHub(store=_store(packages=5)) as server, make_client(server) as gh:
        for _ in range(2):
            [p async for p in gh.iter_user_packages("user-0", "container")]
        assert not any("if-none-match" in r.headers for r in server.requests)


def test_etag_cache_evicts_least_recently_used() -> None:
    """The memory cache keeps at most maxsize entries, evicting the least recently used."""
    from aiogh_packages import CachedResponse

    cache = MemoryETagCache(maxsize=2)
    for key in "abc":
        cache.set(key, CachedResponse(f'"{key}"', {}, b"[]"))
        if key == "b":
            cache.get("a")
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 2
    with pytest.raises(ValueError, match="maxsize"):
        MemoryETagCache(0)
