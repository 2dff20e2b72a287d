"""Client-side points budget and write spacing."""

from __future__ import annotations

import pytest

from aiogh_packages._sansio.pacing import PointsBudget, WriteSpacer, is_write, points_for


def test_point_costs_follow_github() -> None:
    """GET/HEAD/OPTIONS cost 1 point, mutating methods 5."""
    assert [points_for(m) for m in ("GET", "head", "OPTIONS", "POST", "DELETE", "PUT")] == [
        1,
        1,
        1,
        5,
        5,
        5,
    ]
    assert is_write("DELETE") and not is_write("GET")


def test_budget_admits_up_to_the_limit_then_waits_for_the_oldest_to_expire() -> None:
    """900 GETs fit in a minute; the 901st waits until the first leaves the window."""
    budget = PointsBudget(900)
    for i in range(900):
        assert budget.reserve("GET /x", 1, now=i * 0.01) == 0.0
    wait = budget.reserve("GET /x", 1, now=9.0)
    assert wait == pytest.approx(51.001)
    assert budget.reserve("GET /x", 1, now=9.0 + wait) == 0.0


def test_budget_is_per_endpoint_key() -> None:
    """Spending on one endpoint leaves another's budget untouched."""
    budget = PointsBudget(10)
    assert budget.reserve("DELETE /a", 5, 0.0) == 0.0
    assert budget.reserve("DELETE /a", 5, 0.0) == 0.0
    assert budget.reserve("DELETE /a", 5, 1.0) > 0
    assert budget.reserve("DELETE /b", 5, 1.0) == 0.0
    assert budget.used("DELETE /a", 1.0) == 10
    assert budget.used("DELETE /a", 61.0) == 0


def test_budget_rejects_a_limit_below_one_write() -> None:
    """A budget smaller than one DELETE could never admit it."""
    with pytest.raises(ValueError, match="at least 5"):
        PointsBudget(4)


def test_write_spacer_hands_out_slots_interval_apart() -> None:
    """Concurrent writers get slots one interval apart, measured from the last slot."""
    spacer = WriteSpacer(1.0)
    assert spacer.reserve(10.0) == 0.0
    assert spacer.reserve(10.0) == 1.0
    assert spacer.reserve(10.5) == 1.5
    assert spacer.reserve(20.0) == 0.0


def test_write_spacer_rejects_negative_interval() -> None:
    """A negative interval is a caller mistake."""
    with pytest.raises(ValueError, match="-1"):
        WriteSpacer(-1)


def test_write_spacer_wait_s_reports_the_next_slot_without_claiming_it() -> None:
    """wait_s answers how long until the next slot; only reserve() moves it."""
    spacer = WriteSpacer(1.0)
    assert spacer.wait_s(10.0) == 0.0
    spacer.reserve(10.0)
    assert spacer.wait_s(10.25) == pytest.approx(0.75) == spacer.wait_s(10.25)
    assert spacer.wait_s(12.0) == 0.0
