"""The RateBudget seam: the in-process budget, and the client spending from the one it is given."""

from __future__ import annotations

import pytest
from conftest import make_client

from aiogh_packages import PackagesClient
from aiogh_packages.budget import LocalRateBudget, RateBudget
from aiogh_packages.testing import FakeGitHub, sample_store


async def test_local_budget_spends_until_full_then_says_how_long_to_wait() -> None:
    """900 points fit in a minute; the next DELETE waits until the oldest spend expires."""
    budget = LocalRateBudget(900)
    assert isinstance(budget, RateBudget)
    for i in range(180):
        assert await budget.reserve("DELETE /x", 5, 1000.0 + i * 0.1) == 0.0
    wait = await budget.reserve("DELETE /x", 5, 1018.0)
    assert 42.0 < wait <= 42.01
    assert await budget.reserve("GET /y", 1, 1018.0) == 0.0  # another endpoint is unaffected


async def test_local_budget_keeps_the_latest_pause() -> None:
    """A later pause replaces an earlier one; an earlier one is ignored."""
    budget = LocalRateBudget()
    assert await budget.paused_until() == 0.0
    await budget.pause_until(2000.0)
    await budget.pause_until(1500.0)
    assert await budget.paused_until() == 2000.0


class RecordingBudget(LocalRateBudget):
    """A LocalRateBudget that records every reserve() call."""

    def __init__(self) -> None:
        super().__init__(900)
        self.spent: list[tuple[str, int]] = []

    async def reserve(self, key: str, cost: int, now: float) -> float:
        """Record the spend, then spend as the local budget does."""
        self.spent.append((key, cost))
        return await super().reserve(key, cost, now)


async def test_client_spends_from_the_rate_budget_it_is_given() -> None:
    """rate_budget= is what the client spends from: GET 1 point, DELETE 5, keyed by endpoint."""
    budget = RecordingBudget()
    async with (
        FakeGitHub(store=sample_store()) as server,
        make_client(server, rate_budget=budget) as gh,
    ):
        await gh.get_user_package("octocat", "rubygems", "octo-name")
        await gh.delete_user_package("octocat", "rubygems", "octo-name")
    template = "/users/{username}/packages/{package_type}/{package_name}"
    assert budget.spent[-2:] == [(f"GET {template}", 1), (f"DELETE {template}", 5)]


def test_rate_budget_that_is_not_a_budget_is_refused() -> None:
    """A rate_budget without reserve/pause_until/paused_until raises TypeError at construction."""
    with pytest.raises(TypeError, match="rate_budget"):
        PackagesClient(rate_budget=object())  # type: ignore[arg-type]
