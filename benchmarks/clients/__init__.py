"""The clients under test, each behind the same small interface.

Every client lists one owner's packages and returns a :class:`~benchmarks.data.Tally` of
what it got; the driver compares it with the expected tally and voids the figure on any
difference. Third-party clients are imported lazily: a missing one is reported, not fatal.
"""

from __future__ import annotations

from typing import Protocol

from ..data import Tally

__all__ = ["TOKEN", "BenchClient", "user_path"]

TOKEN = "ghp_benchmarkToken000000000000000000000"
"""Sent by every client (never checked by the server), so all pay for the same headers."""


def user_path(login: str, per_page: int = 100) -> str:
    """The first-page path of a user's container packages."""
    return f"/users/{login}/packages?package_type=container&per_page={per_page}"


class BenchClient(Protocol):
    """One configured client, opened once and reused across repetitions."""

    label: str

    async def list_user(self, login: str) -> Tally:
        """List every container package of ``login``, touching each item's id."""
        ...

    async def aclose(self) -> None:
        """Release the client's session."""
        ...
