"""``validate`` end to end: the library function and the CLI against the fake API and registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiogh_packages import Owner, PackagesClient, RegistryClient, read_image_graph, validate_package
from aiogh_packages.testing import (
    FakeGitHub,
    MultiArchImage,
    Store,
    add_multiarch_demo,
    add_multiarch_image,
    sample_store,
)

TOKEN = "ghp_validateTEST_do_not_leak_5521"
ROOT = Path(__file__).resolve().parents[1]


def _demo() -> tuple[Store, dict[str, MultiArchImage]]:
    store = sample_store()
    store.add_org("acme")
    return store, add_multiarch_demo(store, "acme")


@pytest.fixture
def demo() -> Iterator[tuple[FakeGitHub, dict[str, MultiArchImage]]]:
    """A threaded fake whose acme/web-app holds two whole images, a ghost and a partial."""
    store, images = _demo()
    with FakeGitHub.in_thread(store=store) as gh:
        yield gh, images


def run(server: FakeGitHub, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``aiogh-packages`` against ``server``; the token never shows in its output."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    env.update(NO_COLOR="1", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "aiogh_packages", *args]
    command += ["--base-url", server.base_url, "--token", TOKEN]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert TOKEN not in done.stdout + done.stderr
    return done


def test_validate_lists_ghost_and_partial_images_and_exits_1(
    demo: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """The demo's ghost and partial images are reported by tag and digest; whole ones are not."""
    gh, images = demo
    done = run(gh, "validate", "--org", "acme", "--type", "container", "web-app")
    assert done.returncode == 1, done.stderr
    assert "2 broken image(s)" in done.stdout
    assert images["ghost"].index in done.stdout and images["partial"].index in done.stdout
    assert images["v1"].index not in done.stdout and images["v2"].index not in done.stdout
    assert images["partial"].platforms[1] in done.stdout


def test_validate_exits_0_when_every_tagged_image_is_whole() -> None:
    """A package of whole images validates with exit 0."""
    store = sample_store()
    store.add_org("acme")
    add_multiarch_image(store, "acme", "api", tags=("v1",), signature=True)
    with FakeGitHub.in_thread(store=store) as gh:
        done = run(gh, "validate", "--org", "acme", "--type", "container", "api")
    assert done.returncode == 0, done.stderr
    assert "every tagged image is whole" in done.stdout


def test_deleting_a_platform_version_breaks_its_image(
    demo: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """Once a kept index's platform version is deleted, validate names that image (JSON)."""
    gh, images = demo
    v2 = images["v2"]
    record = next(
        v for v in gh.store.versions("acme", "container", "web-app") if v.name == v2.platforms[0]
    )
    gh.store.delete_version("acme", "container", "web-app", record.id)
    done = run(gh, "validate", "--org", "acme", "--type", "container", "web-app", "--json")
    assert done.returncode == 1
    broken = {b["digest"]: b for b in json.loads(done.stdout)["broken"]}
    assert v2.index in broken
    assert any(v2.platforms[0] in problem for problem in broken[v2.index]["problems"])


def test_second_validate_with_a_manifest_cache_reads_no_manifest(
    demo: tuple[FakeGitHub, dict[str, MultiArchImage]], tmp_path: Path
) -> None:
    """With --manifest-cache, the second run downloads no manifest from the registry."""
    gh, _ = demo
    args = ("validate", "--org", "acme", "--type", "container", "web-app")
    run(gh, *args, "--manifest-cache", str(tmp_path))
    reads = gh.registry.manifest_reads
    run(gh, *args, "--manifest-cache", str(tmp_path))
    assert reads > 0 and gh.registry.manifest_reads == reads


def test_validate_refuses_other_package_types(
    demo: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """validate on a non-container type is a clear error before any request."""
    gh, _ = demo
    done = run(gh, "validate", "--org", "acme", "--type", "npm", "web-app")
    assert done.returncode != 0 and "--type container" in done.stderr
    assert gh.requests == []


async def test_validate_package_library_call_matches_the_graph() -> None:
    """validate_package returns the ghost and partial images; the graph names their roles."""
    store, images = _demo()
    async with (
        FakeGitHub(store=store) as gh,
        PackagesClient(token=TOKEN, base_url=gh.base_url) as client,
        RegistryClient(token=TOKEN, registry_url=gh.registry_url) as registry,
    ):
        broken = await validate_package(client, registry, Owner.org("acme"), "web-app")
        graph = await read_image_graph(client, registry, Owner.org("acme"), "web-app")
    assert {b.digest for b in broken} == {images["ghost"].index, images["partial"].index}
    assert graph.nodes[images["ghost"].index].role == "ghost"
    assert graph.nodes[images["partial"].index].role == "partial"
    assert graph.nodes[images["v1"].signature or ""].role == "signature"
    assert not graph.fail_closed
