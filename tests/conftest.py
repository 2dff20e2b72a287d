"""Shared fixtures: the fake GitHub on loopback, a client bound to it, and a fake clock."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aiogh_packages import PackagesClient
from aiogh_packages.testing import FakeGitHub, Store, sample_store

# GitHub's OpenAPI slice and its examples, vendored in tests/spec/ (see its README);
# AIOGH_SHARED_DIR points the spec tests at another copy (its spec/ folder) instead.
_SPEC_DIR = (
    Path(os.environ["AIOGH_SHARED_DIR"]) / "spec"
    if os.environ.get("AIOGH_SHARED_DIR")
    else Path(__file__).resolve().parent / "spec"
)
SPEC_PATH = _SPEC_DIR / "packages-openapi.json"
EXAMPLES = _SPEC_DIR / "examples"

needs_shared = pytest.mark.skipif(
    not SPEC_PATH.is_file(),
    reason=f"GitHub's OpenAPI spec is missing: no {SPEC_PATH} "
    + ("(set by AIOGH_SHARED_DIR)" if os.environ.get("AIOGH_SHARED_DIR") else "(tests/spec/)"),
)

TOKEN = "ghp_testtoken_DO_NOT_LEAK_123456"


class FakeTime:
    """An epoch clock and a sleep that advances it instantly, recording every wait."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def make_client(
    server: FakeGitHub, time: FakeTime | None = None, **kwargs: object
) -> PackagesClient:
    """A client on ``server`` with zero backoff and no pacing; ``time`` fakes clock and sleep."""
    options: dict[str, object] = {
        "base_url": server.base_url,
        "backoff_base": 0,
        "points_per_minute": None,
        "write_interval": 0,
    }
    if time is not None:
        options.update(sleep=time.sleep, clock=time)
    options.update(kwargs)
    return PackagesClient(TOKEN, **options)  # type: ignore[arg-type]


@pytest.fixture
async def server() -> AsyncIterator[FakeGitHub]:
    """The fake GitHub with the sample data, on a free loopback port."""
    async with FakeGitHub(store=sample_store()) as gh:
        yield gh


@pytest.fixture
def fake_time() -> FakeTime:
    """A clock and sleep pair that never really waits."""
    return FakeTime()


@pytest.fixture
async def client(server: FakeGitHub, fake_time: FakeTime) -> AsyncIterator[PackagesClient]:
    """A client on the fake server: zero backoff, no points budget, fake clock and sleep."""
    async with make_client(server, fake_time) as gh:
        yield gh


def users_store(owners: int, packages: int) -> Store:
    """``owners`` users ``user-0``.. each with ``packages`` container packages."""
    store = Store()
    for i in range(owners):
        store.add_user(f"user-{i}", id=1000 + i)
        store.add_packages(f"user-{i}", "container", count=packages)
    return store


def other_tasks() -> set[asyncio.Task[object]]:
    """Tasks left on the loop besides the current one and the in-loop fake server's handlers."""
    return {
        t
        for t in asyncio.all_tasks()
        if t is not asyncio.current_task()
        and not getattr(t.get_coro(), "__qualname__", "").startswith("RequestHandler.")
    }
