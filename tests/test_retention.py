"""Retention end to end against the fake GitHub: dry run, apply, cap, resume after failure, undo."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec
import pytest
from conftest import TOKEN

from aiogh_packages import Owner, PackagesClient, RetentionPolicy
from aiogh_packages._sansio.images import Unreadable
from aiogh_packages._sansio.registry_wire import (
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    ImageIndex,
    ImageManifest,
    Manifest,
)
from aiogh_packages._sansio.retention_plan import deletion_order
from aiogh_packages.errors import (
    AuthError,
    ForbiddenError,
    NotFoundAfterRetryError,
    NotFoundError,
    PackagesError,
    RateLimitError,
    ServerError,
    ValidationFailed,
)
from aiogh_packages.models import PackageState, PackageType, PackageVersion
from aiogh_packages.retention import (
    RetentionLimitError,
    RetentionReport,
    apply_plan,
    apply_retention,
    load_journal,
    read_journal,
    restore_from_journal,
    resume_from_journal,
)
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


class SingleImages:
    """A manifest reader that sees every version as a single-platform image (no children)."""

    async def get_manifests(
        self, owner: Owner | str, package: str, digests: Iterable[str]
    ) -> dict[str, Manifest | Unreadable]:
        config = Descriptor(media_type="application/vnd.oci.image.config.v1+json", digest="x:1")
        return {d: ImageManifest(media_type=OCI_MANIFEST, config=config) for d in digests}


IMAGES = SingleImages()


async def _prune(gh: PackagesClient, policy: RetentionPolicy, **kw: Any) -> RetentionReport:
    """apply_retention on octo-org's container web, planned by image (each version one image)."""
    return await apply_retention(gh, ORG, "container", "web", policy, registry=IMAGES, **kw)


def _deletes(server: FakeGitHub) -> list[int]:
    return [int(r.path.rsplit("/", 1)[1]) for r in server.requests if r.method == "DELETE"]


async def test_dry_run_lists_every_page_plans_and_deletes_nothing() -> None:
    """dry_run=True reads all 300 versions over several pages and sends no DELETE."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        report = await _prune(gh, POLICY, dry_run=True, now=NOW)
    assert len(report.plan.items) == 300
    assert report.dry_run and report.deleted == ()
    assert _deletes(server) == []
    assert sum(1 for r in server.requests if r.method == "GET") >= 3
    planned = report.plan.to_delete
    assert planned and all(not p.version.tags for p in planned)


async def test_without_a_registry_no_untagged_container_version_is_planned_for_deletion() -> None:
    """apply_retention with no registry keeps untagged container versions and says why."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        report = await apply_retention(gh, ORG, "container", "web", POLICY, dry_run=True, now=NOW)
    assert report.plan.to_delete == ()
    untagged_rules = {i.rule for i in report.plan.items if not i.version.tags}
    assert untagged_rules == {"keep-latest", "needs-registry"}
    assert any("RegistryClient" in w for w in report.plan.warnings)


async def test_a_registry_with_the_authenticated_user_is_refused_before_any_request() -> None:
    """The registry path needs a login: Owner 'me' with a registry is a ValueError, no request."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        with pytest.raises(ValueError, match="login"):
            await apply_retention(
                gh, Owner.authenticated_user(), "container", "web", POLICY, registry=IMAGES
            )
        assert server.requests == []


async def test_apply_deletes_exactly_the_planned_versions() -> None:
    """Applying deletes exactly the planned ids, once each, and they then list as deleted."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        plan = (await _prune(gh, POLICY, dry_run=True, now=NOW)).plan
        planned = sorted(p.version.id for p in plan.to_delete)
        report = await _prune(gh, POLICY, max_deletions=500, now=NOW)
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
            await _prune(gh, POLICY, max_deletions=10, now=NOW)
        assert _deletes(server) == []


async def test_rerun_after_failure_midway_finishes_without_duplicate_deletes(
    tmp_path: Path,
) -> None:
    """A 500 storm midway fails some deletions; a rerun deletes only what is left, none twice."""
    journal = tmp_path / "prune.jsonl"
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        server.add_fault(Fault(status=500, times=10, method="DELETE"))
        first = await _prune(gh, POLICY, max_deletions=500, now=NOW, journal=journal)
        assert first.failed and not first.ok
        server.clear_requests()
        second = await _prune(gh, POLICY, max_deletions=500, now=NOW, journal=journal)
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
        report = await _prune(gh, POLICY, max_deletions=500, now=NOW, journal=journal)
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
            await _prune(gh, POLICY, max_deletions=-1)
        assert server.requests == []


async def test_apply_plan_without_recheck_deletes_the_reviewed_plan_without_listing_again() -> None:
    """With recheck=False, apply_plan sends exactly the plan's DELETEs, oldest first, no GET."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        shown = await _prune(gh, POLICY, dry_run=True, now=NOW)
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
        shown = await _prune(gh, POLICY, dry_run=True, now=NOW)
        server.clear_requests()
        await apply_plan(gh, ORG, "container", "web", shown.plan, max_deletions=300)
    pairs = [(r.method, r.path) for r in server.requests]
    assert pairs[0::2] == [("GET", path) for _, path in pairs[1::2]]
    assert [m for m, _ in pairs[1::2]] == ["DELETE"] * len(shown.plan.to_delete)


async def test_apply_plan_refuses_a_plan_beyond_the_cap_before_sending() -> None:
    """A plan larger than max_deletions raises RetentionLimitError and nothing is sent."""
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        shown = await _prune(gh, POLICY, dry_run=True, now=NOW)
        server.clear_requests()
        with pytest.raises(RetentionLimitError):
            await apply_plan(gh, ORG, "container", "web", shown.plan, max_deletions=1)
    assert server.requests == []


# -- against an in-memory VersionStore ----------------------------------------------------


class MemoryStore:
    """An in-memory :class:`VersionStore`: versions by id, scripted errors per DELETE."""

    def __init__(self, versions: list[PackageVersion], journal: Path | None = None) -> None:
        self.active = {v.id: v for v in versions}
        self.deleted: dict[int, PackageVersion] = {}
        self.errors: list[Exception | None] = []
        self.calls: list[tuple[str, int]] = []
        self.journal = journal
        self.journal_at_delete: list[str] = []

    async def _listing(self) -> AsyncIterator[PackageVersion]:
        for v in list(self.active.values()):
            yield v

    def iter_package_versions(
        self, owner: Owner, package_type: PackageType, package_name: str, *,
        state: PackageState | None = None, per_page: int = 100,
    ) -> AsyncIterator[PackageVersion]:  # fmt: skip
        return self._listing()

    async def get_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        self.calls.append(("GET", package_version_id))
        if package_version_id not in self.active:
            raise NotFoundError(404)
        return self.active[package_version_id]

    async def delete_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        self.calls.append(("DELETE", package_version_id))
        if self.journal is not None:
            self.journal_at_delete.append(self.journal.read_text().splitlines()[-1])
        error = self.errors.pop(0) if self.errors else None
        if error is not None:
            raise error
        self.deleted[package_version_id] = self.active.pop(package_version_id)

    async def restore_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        self.calls.append(("RESTORE", package_version_id))
        if package_version_id not in self.deleted:
            raise NotFoundError(404)
        self.active[package_version_id] = self.deleted.pop(package_version_id)


def _versions(count: int) -> list[PackageVersion]:
    """``count`` untagged container versions, ids 1.., oldest first, plus a tagged newest one."""
    data = [
        {"id": i, "name": f"sha256:{i:064x}", "url": "", "package_html_url": "",
         "created_at": (NOW - timedelta(days=100 - i)).isoformat(),
         "updated_at": (NOW - timedelta(days=100 - i)).isoformat(),
         "metadata": {"package_type": "container", "container": {"tags": ["v1"] if i == count else []}}}
        for i in range(1, count + 1)
    ]  # fmt: skip
    return msgspec.convert(data, list[PackageVersion])


UNTAGGED = RetentionPolicy(tagged="untagged")


async def _apply(store: MemoryStore, **kw: Any) -> RetentionReport:
    kw.setdefault("registry", IMAGES)
    return await apply_retention(store, ORG, "container", "web", UNTAGGED, now=NOW, **kw)


async def test_memory_a_403_stops_the_run_after_one_delete() -> None:
    """A ForbiddenError on the first DELETE sends nothing further and reports why."""
    store = MemoryStore(_versions(4))
    store.errors = [ForbiddenError(403, github_message="Must have admin rights")]
    report = await _apply(store)
    assert [c for c in store.calls if c[0] == "DELETE"] == [("DELETE", 1)]
    assert report.stopped and "delete:packages" in report.stopped
    assert report.not_attempted == (2, 3) and not report.ok


async def test_memory_a_401_stops_the_run_too() -> None:
    """An AuthError stops the run like a 403."""
    store = MemoryStore(_versions(3))
    store.errors = [AuthError(401, github_message="Bad credentials")]
    report = await _apply(store)
    assert report.stopped and report.not_attempted == (2,)


async def test_memory_a_rule_refusal_is_retained_and_the_run_goes_on() -> None:
    """A 400 'last version' refusal is retained with GitHub's message, not failed."""
    message = (
        "You cannot delete the last version of a package. You must delete the package instead."
    )
    store = MemoryStore(_versions(3))
    store.errors = [ValidationFailed(400, github_message=message)]
    report = await _apply(store)
    assert report.retained == ((1, f"GitHub keeps it: {message}"),)
    assert report.deleted == (2,) and report.failed == () and report.ok


async def test_memory_a_server_error_fails_one_version_and_the_run_goes_on() -> None:
    """A 5xx after the retries fails that version only."""
    store = MemoryStore(_versions(3))
    store.errors = [ServerError(502)]
    report = await _apply(store)
    assert [i for i, _ in report.failed] == [1] and report.deleted == (2,)


async def test_memory_pending_is_journaled_before_each_delete(tmp_path: Path) -> None:
    """When each DELETE is sent, the journal's last line is that version's pending intent."""
    journal = tmp_path / "j.jsonl"
    store = MemoryStore(_versions(3), journal)
    await _apply(store, journal=journal)
    assert [json.loads(line)["status"] for line in store.journal_at_delete] == ["pending"] * 2
    assert [json.loads(line)["version_id"] for line in store.journal_at_delete] == [1, 2]


async def test_memory_a_lost_answer_counts_as_deleted_and_undo_restores_it(tmp_path: Path) -> None:
    """NotFoundAfterRetryError means GitHub applied the DELETE: undo restores it."""
    journal = tmp_path / "j.jsonl"
    store = MemoryStore(_versions(2), journal)
    store.errors = [NotFoundAfterRetryError(404)]
    store.deleted[1] = store.active.pop(1)  # applied, answer lost
    store.active[1] = store.deleted[1]  # visible to the re-check GET until the DELETE
    report = await _apply(store, journal=journal)
    assert report.deleted == (1,)
    store.active.pop(1, None)
    undo = await restore_from_journal(store, journal)
    assert undo.restored == (1,)


async def test_memory_a_version_tagged_since_the_plan_is_changed_not_deleted() -> None:
    """The re-check GET sees a new tag; the version is skipped as changed."""
    store = MemoryStore(_versions(3))
    report = await apply_retention(
        store, ORG, "container", "web", UNTAGGED, now=NOW, registry=IMAGES, dry_run=True
    )
    store.active[1] = msgspec.structs.replace(
        store.active[1], metadata=msgspec.convert(
            {"package_type": "container", "container": {"tags": ["release"]}}, type(store.active[3].metadata)
        ),
    )  # fmt: skip
    applied = await apply_plan(store, ORG, "container", "web", report.plan)
    assert applied.changed == (1,) and applied.deleted == (2,)


async def test_memory_no_recheck_sends_no_get() -> None:
    """recheck=False deletes without fetching first."""
    store = MemoryStore(_versions(3))
    await _apply(store, recheck=False)
    assert [m for m, _ in store.calls] == ["DELETE", "DELETE"]


async def test_memory_limit_deletes_the_oldest_and_defers_the_rest() -> None:
    """limit=1 deletes the oldest planned version and defers the others."""
    store = MemoryStore(_versions(4))
    report = await _apply(store, limit=1)
    assert report.deleted == (1,) and report.deferred == (2, 3)


async def test_memory_resume_on_a_finished_journal_sends_nothing(tmp_path: Path) -> None:
    """Resuming a journal whose run finished changes nothing."""
    journal = tmp_path / "j.jsonl"
    store = MemoryStore(_versions(3))
    await _apply(store, journal=journal)
    store.calls.clear()
    reports = await resume_from_journal(store, journal)
    assert store.calls == [] and all(r.outcomes == () for r in reports)


def test_a_journal_written_by_0_1_reads_as_deletions(tmp_path: Path) -> None:
    """0.1 lines (owner_kind + owner, deleted_at, no status) read as deleted entries."""
    journal = tmp_path / "old.jsonl"
    journal.write_text(
        '{"owner_kind":"org","owner":"acme","package_type":"container","package_name":"web",'
        '"version_id":7,"name":"sha256:1","tags":[],"deleted_at":"2026-01-01T00:00:00Z"}\n'
    )
    (entry,) = read_journal(journal)
    assert entry.status == "deleted" and entry.owner_value == Owner.org("acme")


def test_a_torn_last_line_is_set_aside_and_a_torn_middle_line_is_an_error(tmp_path: Path) -> None:
    """load_journal keeps every complete line; only the last one may be torn."""
    good = '{"owner_kind":"org","owner":"a","package_type":"npm","package_name":"p","version_id":1}'
    journal = tmp_path / "j.jsonl"
    journal.write_text(f'{good}\n{{"owner_kind":"or')
    loaded = load_journal(journal)
    assert len(loaded.entries) == 1 and loaded.torn_tail == '{"owner_kind":"or'
    journal.write_text(f'{{"owner_kind":"or\n{good}\n')
    with pytest.raises(ValueError, match=r"j.jsonl:1: not a journal line"):
        load_journal(journal)


async def test_a_protected_tag_added_between_plan_and_apply_keeps_the_version() -> None:
    """The re-check GET against the fake sees the new protected tag: changed, not deleted."""
    policy = RetentionPolicy(tagged="untagged", keep_latest=20, protect_tags=("release-*",))
    async with FakeGitHub(store=_store()) as server, _client(server) as gh:
        shown = await _prune(gh, policy, dry_run=True, now=NOW)
        target = deletion_order(shown.plan)[0].version.id
        server.store.get_version("octo-org", "container", "web", target).tags = ("release-1",)
        report = await apply_plan(
            gh, ORG, "container", "web", shown.plan, max_deletions=500, limit=3
        )
    assert report.changed == (target,) and target not in _deletes(server)
    assert "protected pattern 'release-*'" in report.outcomes[0].reason
    assert len(report.deleted) == 2


async def test_memory_a_rate_limit_beyond_max_wait_stops_without_the_token_advice() -> None:
    """A RateLimitError stops the run (nothing further sent) but is not an auth stop."""
    store = MemoryStore(_versions(3))
    store.errors = [
        RateLimitError(403, rate_limit=None, secondary=True, retry_after_s=600, reset_at=NOW)
    ]
    report = await _apply(store)
    assert report.stopped is None and report.not_attempted == (2,) and not report.ok


async def test_memory_a_transport_failure_fails_the_version_and_undo_still_tries_it(
    tmp_path: Path,
) -> None:
    """A DELETE whose outcome is unknown is failed, and undo restores it if it went through."""
    journal = tmp_path / "j.jsonl"
    store = MemoryStore(_versions(2), journal)
    store.errors = [PackagesError("connection reset")]
    report = await _apply(store, journal=journal)
    assert report.failed == ((1, "connection reset"),)
    undo = await restore_from_journal(store, journal)
    assert undo.already_done == (1,)  # the pending line made undo try it; 404: not deleted


async def test_memory_a_version_gone_before_its_delete_is_already_gone_without_a_delete() -> None:
    """The re-check GET finds the version gone: no DELETE is sent."""
    store = MemoryStore(_versions(3))
    shown = await apply_retention(
        store, ORG, "container", "web", UNTAGGED, now=NOW, registry=IMAGES, dry_run=True
    )
    store.deleted[1] = store.active.pop(1)
    report = await apply_plan(store, ORG, "container", "web", shown.plan)
    assert report.already_gone == (1,) and ("DELETE", 1) not in store.calls


async def test_memory_a_404_on_delete_is_already_gone() -> None:
    """Without the re-check, a DELETE answered 404 counts as already gone."""
    store = MemoryStore(_versions(3))
    store.errors = [NotFoundError(404)]
    report = await _apply(store, recheck=False)
    assert report.already_gone == (1,) and report.ok


async def test_memory_resume_finishes_the_versions_a_stopped_run_left(tmp_path: Path) -> None:
    """After an auth stop, resume (with a working token) deletes the rest, none twice."""
    journal = tmp_path / "j.jsonl"
    store = MemoryStore(_versions(4))
    store.errors = [None, AuthError(401)]
    first = await _apply(store, journal=journal)
    assert first.deleted == (1,) and first.stopped
    store.calls.clear()
    (report,) = await resume_from_journal(store, journal)
    assert report.deleted == (2, 3) and ("DELETE", 1) not in store.calls
    assert sorted(store.deleted) == [1, 2, 3]


async def test_memory_a_failed_restore_is_reported(tmp_path: Path) -> None:
    """A restore that fails is listed with its reason; the others go on."""
    journal = tmp_path / "j.jsonl"
    store = MemoryStore(_versions(3))
    await _apply(store, journal=journal)

    async def refuse(*args: object) -> None:
        raise ForbiddenError(403, github_message="no")

    store.restore_package_version = refuse  # type: ignore[method-assign, assignment]
    undo = await restore_from_journal(store, journal)
    assert [i for i, _ in undo.failed] == [1, 2] and undo.restored == ()


def test_the_journal_names_its_api_host(tmp_path: Path) -> None:
    """Journal.api_url is the host recorded by the run (None for 0.1 journals)."""
    journal = tmp_path / "j.jsonl"
    journal.write_text(
        '{"record":"plan","owner_kind":"org","owner":"a","package_type":"npm",'
        '"package_name":"p","planned":[1],"api_url":"https://ghe.example/api/v3"}\n'
    )
    assert load_journal(journal).api_url == "https://ghe.example/api/v3"


class OneIndex:
    """A manifest reader: version 1 is an index over versions 2 and 3, the rest single images."""

    async def get_manifests(
        self, owner: Owner | str, package: str, digests: Iterable[str]
    ) -> dict[str, Manifest | Unreadable]:
        found = await IMAGES.get_manifests(owner, package, digests)
        children = tuple(Descriptor(digest=f"sha256:{i:064x}") for i in (2, 3))
        found[f"sha256:{1:064x}"] = ImageIndex(media_type=OCI_INDEX, manifests=children)
        return found


async def test_memory_resume_never_deletes_a_child_whose_image_stays(tmp_path: Path) -> None:
    """Resumed, a cascade child is skipped when its image's DELETE fails again."""
    journal = tmp_path / "j.jsonl"
    store = MemoryStore(_versions(4))
    store.errors = [AuthError(401)]
    first = await _apply(store, journal=journal, registry=OneIndex())
    assert first.stopped and first.not_attempted == (2, 3)
    store.errors = [ServerError(500)]
    (report,) = await resume_from_journal(store, journal)
    assert [i for i, _ in report.failed] == [1] and report.changed == (2, 3)
    assert store.deleted == {}
