"""The fake_github fixture works in a fresh project under pytest-asyncio, anyio, or no plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ASYNC_TEST = """
import aiohttp

async def test_fixture_serves_octocat(fake_github):
    url = fake_github.base_url + "/users/octocat/packages/rubygems/octo-name"
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer t"}) as http:
        async with http.get(url) as reply:
            assert reply.status == 200
"""
ANYIO_TEST = """
import aiohttp
import pytest

@pytest.fixture
def anyio_backend():
    return "asyncio"

@pytest.mark.anyio
async def test_fixture_serves_octocat(fake_github):
    url = fake_github.base_url + "/users/octocat/packages/rubygems/octo-name"
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer t"}) as http:
        async with http.get(url) as reply:
            assert reply.status == 200
"""
SYNC_TEST = """
import urllib.request

def test_fixture_serves_octocat(fake_github):
    url = fake_github.base_url + "/users/octocat/packages/rubygems/octo-name"
    request = urllib.request.Request(url, headers={"User-Agent": "t", "Authorization": "Bearer t"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status == 200
"""


def run_fresh_project(
    root: Path, test: str, ini: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """Run pytest as a subprocess in a new project holding one test file and a pytest.ini."""
    (root / "pytest.ini").write_text(f"[pytest]\n{ini}\n")
    (root / "test_user.py").write_text(test)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_fixture_works_with_pytest_asyncio_in_auto_mode(tmp_path: Path) -> None:
    """A fresh project with pytest-asyncio (asyncio_mode = auto) runs an async test on it."""
    pytest.importorskip("pytest_asyncio")
    done = run_fresh_project(tmp_path, ASYNC_TEST, "asyncio_mode = auto", "-p", "no:anyio")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_fixture_works_with_anyios_plugin(tmp_path: Path) -> None:
    """A fresh project using anyio's pytest plugin (and not pytest-asyncio) runs it too."""
    pytest.importorskip("anyio")
    done = run_fresh_project(tmp_path, ANYIO_TEST, "", "-p", "no:asyncio")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_fixture_works_from_a_sync_test_without_any_async_plugin(tmp_path: Path) -> None:
    """With only pytest, a synchronous test can use the thread-backed fixture."""
    done = run_fresh_project(tmp_path, SYNC_TEST, "", "-p", "no:asyncio", "-p", "no:anyio")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr
