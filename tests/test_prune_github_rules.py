"""prune against the fake's own GitHub rules (not scripted faults): refusals are retained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import TOKEN

from aiogh_packages.testing import FakeGitHub, Store

ROOT = Path(__file__).resolve().parents[1]
OLD = datetime.now(timezone.utc) - timedelta(days=400)


@pytest.fixture
def server() -> Iterator[FakeGitHub]:
    """A public npm package of three versions; the oldest has 6,000 downloads."""
    store = Store()
    store.add_org("acme")
    store.add_package("acme", "npm", "lib", visibility="public")
    store.add_version("acme", "npm", "lib", "1.0.0", id=1, created_at=OLD, downloads=6000)
    store.add_version("acme", "npm", "lib", "1.0.1", id=2, created_at=OLD + timedelta(days=1))
    store.add_version("acme", "npm", "lib", "1.0.2", id=3, created_at=OLD + timedelta(days=2))
    with FakeGitHub.in_thread(store=store) as gh:
        yield gh


def test_a_popular_public_version_is_retained_with_githubs_message(server: FakeGitHub) -> None:
    """GitHub's 5,000-download rule, enforced by the fake, is reported as retained; the run goes on."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    done = subprocess.run(
        [sys.executable, "-m", "aiogh_packages", "prune", "--org", "acme", "--type", "npm", "lib",
         "--keep-latest", "1", "--yes", "--json", "--base-url", server.base_url,
         "--write-interval", "0", "--token", TOKEN],
        capture_output=True, text=True, env={**env, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    outcomes = {o["id"]: o["outcome"] for o in report["outcomes"]}
    assert outcomes == {1: "retained", 2: "deleted"}
    assert "more than 5000 downloads" in report["retained"][0]["reason"]
    active = [v.id for v in server.store.versions("acme", "npm", "lib", state="active")]
    assert sorted(active) == [1, 3]
