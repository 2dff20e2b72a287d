"""Fan-out: one bad owner fails alone, the mixed-owner door, and closing stops every worker."""

from __future__ import annotations

import contextlib

import pytest
from conftest import make_client, other_tasks, users_store

from aiogh_packages import FanOut, FanOutError, FanOutItem, NotFoundError, Owner
from aiogh_packages.testing import FakeGitHub, Store


def _store(owners: int = 4, packages: int = 30) -> Store:
    return users_store(owners, packages)


async def test_a_bad_owner_name_fails_alone() -> None:
    """An empty user name becomes that owner's FanOutError; the other owner is listed."""
    async with FakeGitHub(store=_store(owners=1)) as server, make_client(server) as gh:
        results = [r async for r in gh.fan_out_user_packages(["user-0", ""], "container")]
    errors = [r for r in results if isinstance(r, FanOutError)]
    assert [(e.owner, type(e.error)) for e in errors] == [("", ValueError)]
    assert sum(isinstance(r, FanOutItem) for r in results) == 30


async def test_fan_out_packages_lists_users_and_orgs_tagged_with_their_owner() -> None:
    """fan_out_packages takes Owner values of both kinds and tags each item with its Owner."""
    store = _store(owners=1, packages=2)
    store.add_org("acme", id=5000)
    store.add_packages("acme", "container", count=3)
    owners = [Owner.user("user-0"), Owner.org("acme"), Owner.org("ghost")]
    async with FakeGitHub(store=store) as server, make_client(server) as gh:
        results = [r async for r in gh.fan_out_packages(owners, "container")]
    counts = {o: sum(r.owner == o for r in results if isinstance(r, FanOutItem)) for o in owners}
    assert counts == {owners[0]: 2, owners[1]: 3, owners[2]: 0}
    errors = [r for r in results if isinstance(r, FanOutError)]
    assert [e.owner for e in errors] == [owners[2]] and isinstance(errors[0].error, NotFoundError)


async def test_fan_out_packages_refuses_a_bad_package_type_before_sending() -> None:
    """A bad package_type raises ValueError at the call, before any request."""
    async with FakeGitHub(store=_store(owners=1)) as server, make_client(server) as gh:
        with pytest.raises(ValueError, match="'gem'"):
            gh.fan_out_packages([Owner.user("user-0")], "gem")  # type: ignore[arg-type]
        assert server.requests == []


async def test_break_inside_async_with_leaves_no_worker_running() -> None:
    """Breaking out of ``async with fan_out`` cancels and awaits every worker."""
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        names = [f"user-{i}" for i in range(4)]
        async with gh.fan_out_user_packages(names, "container", per_page=5) as results:
            async for _ in results:
                assert other_tasks()  # the workers are running
                break
        assert other_tasks() == set()


async def test_break_inside_aclosing_leaves_no_worker_running() -> None:
    """contextlib.aclosing works on a fan-out and stops its workers on break."""
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        names = [f"user-{i}" for i in range(4)]
        async with contextlib.aclosing(gh.fan_out_user_packages(names, "container")) as results:
            async for _ in results:
                break
        assert other_tasks() == set()


async def test_an_exception_in_the_consumer_stops_every_worker() -> None:
    """An exception raised in the loop body cancels and awaits the workers on its way out."""
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        names = [f"user-{i}" for i in range(4)]
        with pytest.raises(RuntimeError, match="stop"):
            async with gh.fan_out_user_packages(names, "container", per_page=5) as results:
                async for _ in results:
                    raise RuntimeError("stop")
        assert other_tasks() == set()


async def test_aclose_is_idempotent_and_ends_the_iteration() -> None:
    """After aclose() (twice) the fan-out yields nothing more."""
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        results: FanOut[str, object] = gh.fan_out_user_packages(["user-0"], "container")
        await results.__anext__()
        await results.aclose()
        await results.aclose()
        assert [r async for r in results] == []
        assert other_tasks() == set()


async def test_batches_hand_out_every_item_once_in_listing_order() -> None:
    """Results handed out of whole-page batches keep each owner's listing order, none twice."""
    async with (
        FakeGitHub(store=_store(owners=2, packages=250)) as server,
        make_client(server) as gh,
    ):
        listed = [p.id async for p in gh.iter_user_packages("user-1", "container")]
        results = [r async for r in gh.fan_out_user_packages(["user-0", "user-1"], "container")]
    mine = [r.item.id for r in results if isinstance(r, FanOutItem) and r.owner == "user-1"]
    assert mine == listed and len(results) == 500
