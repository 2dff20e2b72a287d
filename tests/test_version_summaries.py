"""Version summaries: the compact listing retention plans from, against the fake GitHub."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import make_client

from aiogh_packages import Owner, RetentionPolicy, VersionSummary, plan_retention
from aiogh_packages.retention import apply_plan, read_journal
from aiogh_packages.testing import FakeGitHub, Store

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
ORG = Owner.org("octo-org")


def _store() -> Store:
    """An org with a container package (tagged and untagged) and a docker one."""
    store = Store()
    store.add_org("octo-org", id=50)
    store.add_package("octo-org", "container", "web")
    store.add_package("octo-org", "docker", "old")
    for i in range(130):
        store.add_version(
            "octo-org", "container", "web", name=f"sha256:{i:064x}",
            tags=(f"v1.{i}", "stable") if i % 4 == 0 else (),
            created_at=NOW - timedelta(days=200 - i), updated_at=NOW - timedelta(days=100 - i),
        )  # fmt: skip
    for i in range(3):
        store.add_version("octo-org", "docker", "old", name=f"d{i}", tags=(f"t{i}",))
    return store


@pytest.mark.parametrize(("package_type", "name"), [("container", "web"), ("docker", "old")])
async def test_summaries_list_what_the_versions_list_in_the_same_order(
    package_type: str, name: str
) -> None:
    """Every page, every version once, in GitHub's order, with the same id, name, tags, times."""
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        full = [v async for v in gh.iter_package_versions(ORG, package_type, name, per_page=30)]  # type: ignore[arg-type]
        summaries = [
            s
            async for s in gh.iter_version_summaries(ORG, package_type, name, per_page=30)  # type: ignore[arg-type]
        ]
    assert summaries == [VersionSummary.from_version(v) for v in full]
    assert any(s.tags for s in summaries)
    if package_type == "container":
        assert any(not s.tags for s in summaries)


async def test_summaries_send_the_same_requests_as_versions() -> None:
    """Same paths and queries: only the decoding differs."""
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        [v async for v in gh.iter_package_versions(ORG, "container", "web", state="active")]
        first = [(r.path, r.query) for r in server.requests]
        [s async for s in gh.iter_version_summaries(ORG, "container", "web", state="active")]
        assert [(r.path, r.query) for r in server.requests[len(first) :]] == first
        assert len(first) == 2


async def test_state_for_a_user_is_refused_before_anything_is_sent() -> None:
    """GitHub's user version listing has no state filter: the same refusal as the full listing."""
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        with pytest.raises(ValueError, match="state='deleted' is not accepted for user octocat"):
            gh.iter_version_summaries(Owner.user("octocat"), "container", "web", state="deleted")
    assert server.requests == []


async def test_a_plan_from_summaries_decides_as_a_plan_from_full_versions() -> None:
    """Same decisions, rules, reasons and ages, item by item; only the item type differs."""
    policy = RetentionPolicy(keep_latest=5, keep_latest_tagged=3, older_than=timedelta(days=90))
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        full = [v async for v in gh.iter_package_versions(ORG, "container", "web")]
        summaries = [s async for s in gh.iter_version_summaries(ORG, "container", "web")]
    by_full = plan_retention(full, policy, now=NOW, package_type="container")
    by_summary = plan_retention(summaries, policy, now=NOW, package_type="container")
    assert [(p.version.id, p.decision, p.rule, p.reason, p.age) for p in by_full.items] == [
        (p.version.id, p.decision, p.rule, p.reason, p.age) for p in by_summary.items
    ]
    assert by_full.warnings == by_summary.warnings
    assert by_summary.to_delete and all(type(p.version) is VersionSummary for p in by_summary.items)


async def test_applying_a_plan_of_summaries_deletes_and_journals_it(tmp_path: Path) -> None:
    """apply_plan takes a plan of summaries: the planned versions are deleted and journaled."""
    policy = RetentionPolicy(keep_latest=10, tagged="tagged")
    journal = tmp_path / "journal.jsonl"
    async with FakeGitHub(store=_store()) as server, make_client(server) as gh:
        summaries = [s async for s in gh.iter_version_summaries(ORG, "container", "web")]
        plan = plan_retention(summaries, policy, now=NOW, package_type="container")
        report = await apply_plan(gh, ORG, "container", "web", plan, journal=journal)
        left = {v.id async for v in gh.iter_package_versions(ORG, "container", "web")}
    planned = {p.version.id for p in plan.to_delete}
    assert planned and set(report.deleted) == planned
    assert not planned & left
    entries = [e for e in read_journal(journal) if getattr(e, "status", None) == "deleted"]
    assert {e.version_id for e in entries} == planned  # type: ignore[attr-defined]
    assert all(e.tags for e in entries)  # type: ignore[attr-defined]
