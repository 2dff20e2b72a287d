"""The adaptive prefetch window: was the page ready when asked? -> the new window."""

from __future__ import annotations

import pytest

from aiogh_packages._sansio.prefetch import ADAPTIVE_START, PrefetchWindow


def test_adaptive_window_starts_small() -> None:
    """An adaptive window starts at two pages, whatever the limit."""
    assert PrefetchWindow(32).size == ADAPTIVE_START == 2


def test_adaptive_window_never_starts_above_its_limit() -> None:
    """With a limit of one the window starts (and stays) at one."""
    window = PrefetchWindow(1)
    assert window.size == 1 and window.asked(False) == 1


def test_waiting_consumer_doubles_the_window_up_to_the_limit() -> None:
    """Each page that was not ready doubles the window, capped at the limit."""
    window = PrefetchWindow(12)
    assert [window.asked(False) for _ in range(4)] == [4, 8, 12, 12]


def test_a_full_window_of_ready_pages_narrows_it_by_one() -> None:
    """As many ready pages in a row as the window holds narrow it by one."""
    window = PrefetchWindow(8)
    window.asked(False)  # 4
    assert [window.asked(True) for _ in range(4)] == [4, 4, 4, 3]


def test_a_wait_restarts_the_count_of_ready_pages() -> None:
    """A page that was not ready resets the run of ready ones, so the window does not narrow."""
    window = PrefetchWindow(8)
    window.asked(False)
    window.asked(False)  # 8
    for _ in range(7):
        window.asked(True)
    assert window.asked(False) == 8
    assert [window.asked(True) for _ in range(7)] == [8] * 7


def test_ready_pages_narrow_the_window_down_to_one_and_no_further() -> None:
    """A consumer slower than the network ends with one page in flight."""
    window = PrefetchWindow(8)
    for _ in range(50):
        window.asked(True)
    assert window.size == 1


def test_high_latency_pattern_keeps_the_window_at_the_limit() -> None:
    """One wait per round of pages (a slow link, a fast consumer) holds the window wide."""
    window = PrefetchWindow(8)
    sizes = []
    for _ in range(10):
        sizes.append(window.asked(False))
        sizes += [window.asked(True) for _ in range(window.size - 1)]
    assert sizes[-8:] == [8] * 8


def test_fixed_window_never_changes() -> None:
    """A fixed window keeps its width whether pages were ready or not."""
    window = PrefetchWindow(6, adaptive=False)
    answers = {window.asked(ready) for ready in [False, True, True, False] * 5}
    assert answers == {6} and window.size == 6


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "8"])
def test_limit_must_be_a_positive_int(limit: object) -> None:
    """A limit that is not a positive int is refused, naming the value."""
    with pytest.raises(ValueError, match="positive int"):
        PrefetchWindow(limit)  # type: ignore[arg-type]


def test_repr_shows_size_limit_and_kind() -> None:
    """The repr says how wide the window is, how wide it may get, and whether it adapts."""
    assert repr(PrefetchWindow(8)) == "PrefetchWindow(size=2, limit=8, adaptive)"


def test_a_wait_spent_on_this_process_cpu_does_not_widen_the_window() -> None:
    """After a CPU-bound wait (a fast link, pages still being decoded) a late page is slack."""
    window = PrefetchWindow(8)
    window.asked(False)  # 4
    window.waited(wall_s=0.010, cpu_s=0.009)
    assert [window.asked(False) for _ in range(4)] == [4, 4, 4, 3]


def test_a_wait_spent_on_the_network_widens_the_window_again() -> None:
    """Once a wait is mostly idle time again, late pages double the window as before."""
    window = PrefetchWindow(16)
    window.asked(False)  # 4
    window.waited(wall_s=0.010, cpu_s=0.009)
    window.asked(False)
    window.waited(wall_s=0.020, cpu_s=0.001)
    assert window.asked(False) == 8


@pytest.mark.parametrize(("wall_s", "cpu_s", "widens"), [(0.02, 0.009, True), (0.02, 0.01, False)])
def test_network_wait_is_one_where_cpu_stayed_under_half_the_wall_time(
    wall_s: float, cpu_s: float, widens: bool
) -> None:
    """A wait counts as network-bound when the process used under half of it on CPU."""
    window = PrefetchWindow(8)
    window.waited(wall_s=wall_s, cpu_s=cpu_s)
    assert (window.asked(False) == 4) is widens


def test_fixed_window_ignores_how_waits_were_spent() -> None:
    """A fixed window stays put whatever the waits cost."""
    window = PrefetchWindow(3, adaptive=False)
    window.waited(wall_s=1.0, cpu_s=0.0)
    assert window.asked(False) == 3
