"""pytest plugin providing the ``fake_github`` fixture.

It is registered through the ``pytest11`` entry point ``aiogh_packages``, so installing
aiogh_packages is enough: any test can ask for ``fake_github``. Where plugin autoloading is
off (``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``), enable it with
``-p aiogh_packages.testing.pytest_plugin`` on the command line, or with
``pytest_plugins = ["aiogh_packages.testing.pytest_plugin"]`` in the top-level ``conftest.py``.

The fixture (function scope) yields a started :class:`~aiogh_packages.testing.FakeGitHub`
seeded with :func:`~aiogh_packages.testing.sample_store`, running on its own event loop in a
background thread (its container registry, ``/v2/...`` with the token realm ``/token``, is at
``fake_github.registry_url``). It therefore works from sync tests, ``asyncio.run``,
pytest-asyncio, anyio or trio-asyncio alike; the plugin itself needs no async test plugin::

    async def test_lists_octocat(fake_github):
        async with PackagesClient(token="t", base_url=fake_github.base_url) as gh:
            ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .server import FakeGitHub

__all__ = ["fake_github"]


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A thread-backed fake GitHub with the sample data, stopped after the test."""
    from .seed import sample_store
    from .server import FakeGitHub

    with FakeGitHub.in_thread(store=sample_store()) as server:
        yield server
