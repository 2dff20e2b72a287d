"""pytest plugin providing the ``fake_github`` fixture and its ``fake_github`` marker.

It is registered through the ``pytest11`` entry point ``aiogh_packages``, so installing
aiogh_packages is enough: any test can ask for ``fake_github``. Where plugin autoloading is
off (``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``), enable it with
``-p aiogh_packages.testing.pytest_plugin`` on the command line, or with
``pytest_plugins = ["aiogh_packages.testing.pytest_plugin"]`` in the top-level ``conftest.py``.

The fixture (function scope) yields a started :class:`~aiogh_packages.testing.FakeGitHub`
seeded with :func:`~aiogh_packages.testing.sample_store`, running on its own event loop in a
background thread (its container registry, ``/v2/...`` with the token realm ``/token``, is at
``fake_github.registry_url``). It therefore works from sync tests and from any async test plugin
(pytest-asyncio in auto or strict mode, anyio's plugin); the fixture itself is synchronous, so
an ``async def`` test only needs one of those plugins to run at all. The ``fake_github``
marker passes keyword arguments to :class:`FakeGitHub`, so declaring tokens or turning on
secondary limits is one line::

    @pytest.mark.fake_github(tokens={"ghp_a": TokenInfo("octocat")}, secondary_limits=True)
    async def test_lists_octocat(fake_github):
        async with PackagesClient(token="ghp_a", base_url=fake_github.base_url) as gh:
            ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .server import FakeGitHub

__all__ = ["fake_github", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fake_github`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        "fake_github(**options): keyword arguments for the fake_github fixture's FakeGitHub "
        "(tokens=..., secondary_limits=True, store=..., rate_limit=...)",
    )


@pytest.fixture
def fake_github(request: pytest.FixtureRequest) -> Iterator[FakeGitHub]:
    """A thread-backed fake GitHub with the sample data, stopped after the test."""
    from .seed import sample_store
    from .server import FakeGitHub

    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("fake_github"))):
        if marker.args:
            raise TypeError("@pytest.mark.fake_github takes keyword arguments only")
        options.update(marker.kwargs)
    options.setdefault("store", sample_store())
    with FakeGitHub.in_thread(**options) as server:
        yield server
