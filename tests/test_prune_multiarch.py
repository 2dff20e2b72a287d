"""``prune`` of multi-arch container images through the CLI, against the fake API and registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aiogh_packages import Owner, PackagesClient, RegistryClient, RetentionPolicy
from aiogh_packages.retention import apply_plan, apply_retention
from aiogh_packages.testing import (
    FakeGitHub,
    Fault,
    MultiArchImage,
    Store,
    add_multiarch_demo,
    add_multiarch_image,
    sample_store,
)

TOKEN = "ghp_multiarchTEST_do_not_leak_7731"
ROOT = Path(__file__).resolve().parents[1]
OLD = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=60)
TARGET = ("--org", "acme", "--type", "container", "web-app")


def _images(store: Store) -> dict[str, MultiArchImage]:
    """acme/web-app: v1 (signed, two tags), v2 and an untagged image, all 60 days old."""
    tagged = {
        "v1": add_multiarch_image(
            store, "acme", "web-app", tags=("v1", "latest"), signature=True, created_at=OLD
        ),
        "v2": add_multiarch_image(store, "acme", "web-app", tags=("v2",), created_at=OLD),
    }
    loose = add_multiarch_image(store, "acme", "web-app", tags=(), created_at=OLD)
    return {**tagged, "untagged": loose}


@pytest.fixture
def images() -> Iterator[tuple[FakeGitHub, dict[str, MultiArchImage]]]:
    """A threaded fake whose acme/web-app holds two whole tagged images and an untagged one."""
    store = sample_store()
    store.add_org("acme")
    found = _images(store)
    with FakeGitHub.in_thread(store=store) as gh:
        yield gh, found


def run(server: FakeGitHub, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``aiogh-packages`` against ``server``; the token never shows in its output."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    env.update(NO_COLOR="1", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "aiogh_packages", *args]
    command += ["--base-url", server.base_url, "--token", TOKEN, "--max-tries", "1"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert TOKEN not in done.stdout + done.stderr
    return done


def active(server: FakeGitHub) -> set[str]:
    """The digests of acme/web-app's active versions."""
    return {v.name for v in server.store.versions("acme", "container", "web-app")}


def deleted(server: FakeGitHub) -> set[str]:
    """The digests of acme/web-app's deleted versions."""
    listed = server.store.versions("acme", "container", "web-app", state="deleted")
    return {v.name for v in listed}


def test_untagged_prune_keeps_every_kept_image_whole(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """prune --tag-state untagged deletes the untagged image only; validate then exits 0."""
    gh, found = images
    done = run(gh, "prune", *TARGET, "--tag-state", "untagged", "--yes")
    assert done.returncode == 0, done.stderr
    assert deleted(gh) == set(found["untagged"].all)
    assert set(found["v1"].all) | set(found["v2"].all) <= active(gh)
    assert run(gh, "validate", *TARGET).returncode == 0


def test_deleting_a_tagged_image_deletes_its_children(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """Deleting v2 by tag takes its platform manifests and attestation; v1 stays whole."""
    gh, found = images
    done = run(gh, "prune", *TARGET, "--include-tag", "v2", "--yes")
    assert done.returncode == 0, done.stderr
    assert deleted(gh) == set(found["v2"].all)
    assert run(gh, "validate", *TARGET).returncode == 0


def test_deleting_a_signed_image_deletes_its_cosign_signature_too(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """The tagged sha256-<digest>.sig version goes with the image it signs."""
    gh, found = images
    done = run(gh, "prune", *TARGET, "--include-tag", "v1", "--include-tag", "latest", "--yes")
    assert done.returncode == 0, done.stderr
    assert found["v1"].signature in deleted(gh)
    assert deleted(gh) == set(found["v1"].all)


def test_the_dry_run_table_shows_kept_children_and_the_cascade(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """The plan names each child's role, why it is kept, and how many go with each image."""
    gh, _ = images
    done = run(gh, "prune", *TARGET, "--tag-state", "untagged", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "ROLE" in done.stdout and "WITH" in done.stdout and "+3" in done.stdout
    assert "needed-by-image" in done.stdout and "cascade" in done.stdout


def test_an_unreadable_manifest_stops_all_untagged_deletion(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """A 500 on one platform manifest keeps every untagged version; the plan says why."""
    gh, found = images
    digest = found["v1"].platforms[0]
    gh.add_fault(Fault(status=500, times=20, method="GET", path=f"^/v2/.*/manifests/{digest}"))
    done = run(gh, "prune", *TARGET, "--tag-state", "untagged", "--yes", "--json")
    assert done.returncode == 0, done.stderr
    assert deleted(gh) == set() and not [r for r in gh.requests if r.method == "DELETE"]
    warnings = json.loads(done.stdout)["plan"]["warnings"]
    assert any("fail closed" in w and digest[:19] in w for w in warnings)


def test_a_second_dry_run_with_a_manifest_cache_reads_no_manifest_again(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]], tmp_path: Path
) -> None:
    """--manifest-cache: the second dry run reads no manifest from the registry."""
    gh, _ = images
    args = ("prune", *TARGET, "--tag-state", "untagged", "--dry-run")
    cache = ("--manifest-cache", str(tmp_path / "manifests"))
    assert run(gh, *args, *cache).returncode == 0
    first = gh.registry.manifest_reads
    assert first == len(active(gh))
    assert run(gh, *args, *cache).returncode == 0
    assert gh.registry.manifest_reads == first


def test_tokens_stay_on_their_own_hosts(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """The GitHub token never goes to /v2/, and the registry's bearer token never to the API."""
    gh, _ = images
    assert run(gh, "prune", *TARGET, "--tag-state", "untagged", "--yes").returncode == 0
    registry = [r for r in gh.requests if r.path.startswith("/v2/")]
    api = [r for r in gh.requests if not gh.registry.serves(r.path)]
    assert registry and api
    assert all(TOKEN not in r.headers.get("authorization", "") for r in registry)
    assert all("rgt_" not in r.headers.get("authorization", "") for r in api)


def test_demo_data_with_ghost_and_partial_options_validates_afterwards() -> None:
    """On the demo data, untagged + --delete-ghost-images + --delete-partial-images: whole."""
    store = sample_store()
    store.add_org("acme")
    found = add_multiarch_demo(store, "acme")
    with FakeGitHub.in_thread(store=store) as gh:
        assert run(gh, "validate", *TARGET).returncode == 1
        flags = ("--delete-ghost-images", "--delete-partial-images", "--grace", "0s")
        done = run(gh, "prune", *TARGET, "--tag-state", "untagged", *flags, "--yes")
        assert done.returncode == 0, done.stderr
        assert found["ghost"].index in deleted(gh) and found["partial"].index in deleted(gh)
        assert set(found["v1"].all) | set(found["v2"].all) <= active(gh)
        assert run(gh, "validate", *TARGET).returncode == 0


def test_image_flags_for_another_package_type_are_a_usage_error(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """--delete-orphans with --type npm exits 2 naming the flag, before any request."""
    gh, _ = images
    done = run(gh, "prune", "--org", "acme", "--type", "npm", "x", "--older-than", "1d",
               "--delete-orphans")  # fmt: skip
    assert done.returncode == 2 and "--delete-orphans" in done.stderr
    assert gh.requests == []


async def test_children_stay_when_their_image_is_tagged_between_plan_and_apply() -> None:
    """The re-check keeps an image tagged since the plan, and its cascade is skipped too."""
    store = sample_store()
    store.add_org("acme")
    found = _images(store)
    owner, policy = Owner.org("acme"), RetentionPolicy(tagged="untagged")
    async with (
        FakeGitHub(store=store) as server,
        PackagesClient(TOKEN, base_url=server.base_url, write_interval=0) as gh,
        RegistryClient(token=TOKEN, registry_url=server.registry_url) as registry,
    ):
        shown = await apply_retention(
            gh, owner, "container", "web-app", policy, dry_run=True, registry=registry
        )
        assert {p.version.name for p in shown.plan.to_delete} == set(found["untagged"].all)
        store.get_version(
            "acme", "container", "web-app", _id(store, found["untagged"].index)
        ).tags = ("new",)
        report = await apply_plan(gh, owner, "container", "web-app", shown.plan)
    assert report.deleted == () and len(report.changed) == len(found["untagged"].all)
    assert deleted(server) == set()


def _id(store: Store, digest: str) -> int:
    """The version id of ``digest`` in acme/web-app."""
    return next(v.id for v in store.versions("acme", "container", "web-app") if v.name == digest)


def tags_of(server: FakeGitHub, digest: str) -> tuple[str, ...]:
    """The tags of the active version ``digest`` of acme/web-app."""
    return next(
        v.tags for v in server.store.versions("acme", "container", "web-app") if v.name == digest
    )


def test_untag_leaves_the_image_and_its_other_tags(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]], tmp_path: Path
) -> None:
    """--untag 'v*' moves v1 off the v1/latest image, skips single-tagged v2; all stay whole."""
    gh, found = images
    journal = tmp_path / "untag.jsonl"
    done = run(gh, "prune", *TARGET, "--untag", "v*", "--yes", "--journal", str(journal))
    assert done.returncode == 0, done.stderr
    assert "untagged 1, failed 0" in done.stdout
    assert tags_of(gh, found["v1"].index) == ("latest",)
    assert tags_of(gh, found["v2"].index) == ("v2",)
    assert set(found["v1"].all) | set(found["v2"].all) <= active(gh)
    assert all("v1" not in v.tags for v in gh.store.versions("acme", "container", "web-app"))
    assert run(gh, "validate", *TARGET).returncode == 0


def test_undo_of_an_untag_puts_the_tag_back_on_the_original_digest(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]], tmp_path: Path
) -> None:
    """undo re-points an untagged tag at the image it was moved off (a PUT of its manifest)."""
    gh, found = images
    journal = tmp_path / "untag.jsonl"
    assert (
        run(
            gh, "prune", *TARGET, "--untag", "latest", "--yes", "--journal", str(journal)
        ).returncode
        == 0
    )
    assert tags_of(gh, found["v1"].index) == ("v1",)
    done = run(gh, "undo", "--journal", str(journal))
    assert done.returncode == 0, done.stderr
    assert "re-tagged 1, failed 0" in done.stdout
    assert set(tags_of(gh, found["v1"].index)) == {"v1", "latest"}


def test_untag_dry_run_moves_nothing(images: tuple[FakeGitHub, dict[str, MultiArchImage]]) -> None:
    """--untag with --dry-run shows the tags it would remove and sends no PUT or DELETE."""
    gh, found = images
    done = run(gh, "prune", *TARGET, "--untag", "latest", "--dry-run")
    assert done.returncode == 0 and "latest" in done.stdout and "no tag was moved" in done.stdout
    assert not [r for r in gh.requests if r.method in ("PUT", "DELETE")]
    assert set(tags_of(gh, found["v1"].index)) == {"v1", "latest"}


def test_the_demo_shows_platform_images_kept_for_a_tagged_index() -> None:
    """demo includes a multi-arch dry run naming platform versions a tagged index needs."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    env.update(NO_COLOR="1", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "aiogh_packages", "demo"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    section = done.stdout.split("== Multi-arch dry run")[1].split("==")[0]
    assert "platform: needed by kept image" in section and "(v1,latest)" in section
    assert "an untagged image and 3 that go with it" in section


def test_untag_with_a_deletion_rule_is_a_usage_error(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """--untag with --tag-state exits 2 naming the flag, before any request."""
    gh, _ = images
    done = run(gh, "prune", *TARGET, "--untag", "v*", "--tag-state", "untagged", "--yes")
    assert done.returncode == 2 and "--tag-state" in done.stderr
    assert gh.requests == []


def test_untag_sends_registry_writes_with_the_registry_token_only(
    images: tuple[FakeGitHub, dict[str, MultiArchImage]],
) -> None:
    """The placeholder PUT carries the registry's bearer token, never the GitHub token."""
    gh, _ = images
    assert run(gh, "prune", *TARGET, "--untag", "latest", "--yes").returncode == 0
    puts = [r for r in gh.requests if r.method == "PUT"]
    assert puts and all(r.path.startswith("/v2/") for r in puts)
    assert all(r.headers.get("authorization", "").startswith("Bearer rgt_") for r in puts)


async def test_library_prune_of_a_container_package_plans_by_image() -> None:
    """prune_org_package_versions reads manifests through gh.registry(): kept images stay whole."""
    store = Store()
    store.add_org("acme")
    add_multiarch_demo(store, "acme")
    async with (
        FakeGitHub(store=store) as server,
        PackagesClient(TOKEN, base_url=server.base_url, write_interval=0) as gh,
    ):
        report = await gh.prune_org_package_versions(
            "acme", "container", "web-app", RetentionPolicy(tagged="untagged"), dry_run=True
        )
        rules = {str(p.rule) for p in report.plan.items}
        assert "needs-registry" not in rules and "needed-by-image" in rules
        assert server.registry.manifest_reads > 0
