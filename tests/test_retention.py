"""Retention end to end against the fake GitHub: dry run, apply, cap, resume after failure, undo."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import TOKEN

from aiogh_packages import Owner, PackagesClient, RetentionPolicy
from aiogh_packages._sansio.retention_plan import deletion_order
from aiogh_packages.retention import RetentionLimitError, apply_plan, read_journal
from aiogh_packages.testing import FakeGitHub, Fault, Store

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
ORG = Owner.org("octo-org")
POLICY = RetentionPolicy(keep_latest=20, older_than=timedelta(days=30), tagged="untagged")


def _store() -> Store:
    """An org container package with 300 versions, a third of them tagged, one a day apart."""
    store = Store()
    store.add_org("octo-org", id=50)
    store.add_package("octo-org", "container", "web", visibility="public")
    for i in range(300):
        tags = (f"v1.{i}",) if i % 3 == 0 else ()
        store.add_version(
            "octo-org",
            "container",
            "web",
            name=f"sha256:{i:064x}",
            tags=tags,
            created_at=NOW - timedelta(days=300 - i),
        )
    return store


def _client(server: FakeGitHub) -> PackagesClient:
    return PackagesClient(
        TOKEN,
        base_url=server.base_url,
        backoff_base=0,
        points_per_minute=None,
        write_interval=0,
        max_tries=2,
    )


def _deletes(server: FakeGitHub) -> list[int]:
    return [int(r.path.rsplit("/", 1)[1]) for r in server.requests if r.method == "DELETE"]


async def test_dry_run_lists_every_page_plans_and_deletes_nothing() -> None:
    """dry_run=True reads all 300 versions over several pages and sends no DELETE."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        report = await gh.prune_org_package_versions(
            "octo-org", "container", "web", POLICY, dry_run=True, now=NOW
        )
    assert len(report.plan.items) == 300
    assert report.dry_run and report.deleted == ()
    assert _deletes(server) == []
    assert sum(1 for r in server.requests if r.method == "GET") >= 3
    planned = report.plan.to_delete
    assert planned and all(not p.version.tags for p in planned)
    assert report.plan.warnings  # untagged container deletion warns about multi-arch images


async def test_apply_deletes_exactly_the_planned_versions() -> None:
    """Applying deletes exactly the planned ids, once each, and they then list as deleted."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        plan = (
            await gh.prune_org_package_versions(
                "octo-org", "container", "web", POLICY, dry_run=True, now=NOW
            )
        ).plan
        planned = sorted(p.version.id for p in plan.to_delete)
        report = await gh.prune_org_package_versions(
            "octo-org", "container", "web", POLICY, max_deletions=500, now=NOW
        )
        assert sorted(report.deleted) == planned == sorted(_deletes(server))
        deleted = [
            v.id
            async for v in gh.iter_org_package_versions(
                "octo-org", "container", "web", state="deleted"
            )
        ]
        assert sorted(deleted) == planned
        assert report.ok


async def test_plans_beyond_the_cap_are_refused_before_any_delete() -> None:
    """A plan larger than max_deletions raises RetentionLimitError and deletes nothing."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        with pytest.raises(RetentionLimitError, match="max_deletions=10"):
            await gh.prune_org_package_versions(
                "octo-org", "container", "web", POLICY, max_deletions=10, now=NOW
            )
        assert _deletes(server) == []


async def test_rerun_after_failure_midway_finishes_without_duplicate_deletes(
    tmp_path: Path,
) -> None:
    """A 500 storm midway fails some deletions; a rerun deletes only what is left, none twice."""
    journal = tmp_path / "prune.jsonl"
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        server.add_fault(Fault(status=500, times=10, method="DELETE"))
        first = await gh.prune_org_package_versions(
            "octo-org", "container", "web", POLICY, max_deletions=500, now=NOW, journal=journal
        )
        assert first.failed and not first.ok
        server.clear_requests()
        second = await gh.prune_org_package_versions(
            "octo-org", "container", "web", POLICY, max_deletions=500, now=NOW, journal=journal
        )
        assert second.ok
        assert not set(first.deleted) & set(second.deleted)
        assert not set(_deletes(server)) & set(first.deleted)  # nothing deleted twice
        successful = set(first.deleted) | set(second.deleted)
        assert len(successful) == len(first.plan.to_delete)
        journaled = [e.version_id for e in read_journal(journal) if e.status == "deleted"]
        assert sorted(journaled) == sorted(successful)


async def test_undo_restores_every_journaled_version_and_can_be_rerun(tmp_path: Path) -> None:
    """restore_from_journal brings the versions back under state=active; a second run counts 404s as done."""
    journal = tmp_path / "prune.jsonl"
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        before = sorted(
            [v.id async for v in gh.iter_org_package_versions("octo-org", "container", "web")]
        )
        report = await gh.prune_org_package_versions(
            "octo-org", "container", "web", POLICY, max_deletions=500, now=NOW, journal=journal
        )
        assert report.deleted
        undo = await gh.restore_from_journal(journal)
        assert sorted(undo.restored) == sorted(report.deleted) and not undo.failed
        after = sorted(
            [v.id async for v in gh.iter_org_package_versions("octo-org", "container", "web")]
        )
        assert after == before
        again = await gh.restore_from_journal(journal)
        assert again.restored == () and sorted(again.already_done) == sorted(report.deleted)


async def test_max_deletions_must_be_a_non_negative_int() -> None:
    """A bad cap is refused before any request."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        with pytest.raises(ValueError, match="max_deletions"):
            await gh.prune_org_package_versions(
                "octo-org", "container", "web", POLICY, max_deletions=-1
            )
        assert server.requests == []


async def test_apply_plan_without_recheck_deletes_the_reviewed_plan_without_listing_again() -> None:
    """With recheck=False, apply_plan sends exactly the plan's DELETEs, oldest first, no GET."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        shown = await gh.prune_org_package_versions(
            "octo-org", "container", "web", POLICY, dry_run=True, now=NOW
        )
        server.clear_requests()
        report = await apply_plan(
            gh, ORG, "container", "web", shown.plan, max_deletions=300, recheck=False
        )
    planned = [p.version.id for p in deletion_order(shown.plan)]
    assert _deletes(server) == planned and list(report.deleted) == planned
    assert [r.method for r in server.requests] == ["DELETE"] * len(planned)


async def test_apply_plan_rechecks_each_version_with_one_get_before_its_delete() -> None:
    """By default every DELETE is preceded by one GET of the same version."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        shown = await gh.prune_org_package_versions(
            "octo-org", "container", "web", POLICY, dry_run=True, now=NOW
        )
        server.clear_requests()
        await apply_plan(gh, ORG, "container", "web", shown.plan, max_deletions=300)
    pairs = [(r.method, r.path) for r in server.requests]
    assert pairs[0::2] == [("GET", path) for _, path in pairs[1::2]]
    assert [m for m, _ in pairs[1::2]] == ["DELETE"] * len(shown.plan.to_delete)


async def test_apply_plan_refuses_a_plan_beyond_the_cap_before_sending() -> None:
    """A plan larger than max_deletions raises RetentionLimitError and nothing is sent."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        shown = await gh.prune_org_package_versions(
            "octo-org", "container", "web", POLICY, dry_run=True, now=NOW
        )
        server.clear_requests()
        with pytest.raises(RetentionLimitError):
            await apply_plan(gh, ORG, "container", "web", shown.plan, max_deletions=1)
    assert server.requests == []
