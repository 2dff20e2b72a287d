"""The in-process RateBudget: points per endpoint in a sliding minute, and a shared pause."""

from __future__ import annotations

from aiogh_packages.budget import LocalRateBudget, RateBudget


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
