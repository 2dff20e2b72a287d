"""Applying a retention policy to a package's versions, and undoing it from a journal.

How this works
--------------
``apply_retention`` lists every active version of one package (all pages), asks the pure
planner (``plan_retention``) which to delete, refuses plans larger than
``max_deletions``, and deletes the planned versions one after another through the
client, so the client's write spacing, points budget and rate-limit handling apply. With
``dry_run=True`` it stops after planning: not one DELETE is sent. ``apply_plan`` is the
second half alone, for a plan that was shown and approved (the CLI's prune). Each deletion is
appended to an optional journal (JSON lines, flushed per line) before the next starts,
so an interrupted run leaves a faithful record; running the same policy again plans
only what is still active, and finishes the rest without deleting anything twice.

``restore_from_journal`` replays a journal through the restore endpoints. A 404 there
means the version is not deleted (already restored, e.g. by an earlier, interrupted undo)
or is gone for good, and counts as done rather than failed, so undo can be re-run too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING

import msgspec

from ._sansio.retention_plan import PlannedVersion, RetentionPlan, RetentionPolicy, plan_retention
from ._sansio.routes import OwnerKind
from .errors import AuthError, NotFoundError, PackagesError, RateLimitError

if TYPE_CHECKING:
    from ._base import ClientBase

__all__ = [
    "JournalEntry",
    "RestoreReport",
    "RetentionLimitError",
    "RetentionReport",
    "apply_plan",
    "apply_retention",
    "read_journal",
    "restore_from_journal",
]

ProgressHook = Callable[[PlannedVersion, str], None]
"""Called after each planned deletion with its outcome: deleted, already-gone or failed."""


class RetentionLimitError(ValueError):
    """The plan deletes more versions than ``max_deletions`` allows; nothing was deleted."""


class JournalEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One deleted version, as written to (and read from) a journal line."""

    owner_kind: OwnerKind
    owner: str | None
    package_type: str
    package_name: str
    version_id: int
    name: str
    tags: tuple[str, ...]
    deleted_at: datetime


class RetentionReport(msgspec.Struct, frozen=True, kw_only=True):
    """What ``apply_retention`` did.

    Attributes:
        plan: the plan, every version with its decision and rule.
        dry_run: True when nothing was deleted on purpose.
        deleted: ids deleted by this run.
        already_gone: ids planned for deletion that GitHub no longer had (404).
        failed: ``(id, reason)`` for deletions that failed.
        not_attempted: ids left alone after a failure that stops the run (auth, rate limit).
    """

    plan: RetentionPlan
    dry_run: bool
    deleted: tuple[int, ...] = ()
    already_gone: tuple[int, ...] = ()
    failed: tuple[tuple[int, str], ...] = ()
    not_attempted: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every planned deletion is done (deleted or already gone)."""
        return not self.failed and not self.not_attempted


class RestoreReport(msgspec.Struct, frozen=True, kw_only=True):
    """What ``restore_from_journal`` did: restored ids, 404s counted as done, failures."""

    restored: tuple[int, ...] = ()
    already_done: tuple[int, ...] = ()
    failed: tuple[tuple[int, str], ...] = ()


async def apply_retention(
    client: ClientBase,
    kind: OwnerKind,
    owner: str | None,
    package_type: str,
    package_name: str,
    policy: RetentionPolicy,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    max_deletions: int = 100,
    journal: str | Path | None = None,
    on_progress: ProgressHook | None = None,
) -> RetentionReport:
    """List, plan and (unless ``dry_run``) delete; see the module docstring."""
    if isinstance(max_deletions, bool) or not isinstance(max_deletions, int) or max_deletions < 0:
        raise ValueError(f"max_deletions must be an int >= 0, got {max_deletions!r}")
    listing = client._list_versions(kind, owner, package_type, package_name, None, 100)
    versions = [v async for v in listing]
    moment = now or datetime.now(timezone.utc)
    plan = plan_retention(versions, policy, now=moment, package_type=package_type)
    if dry_run:
        return RetentionReport(plan=plan, dry_run=True)
    return await apply_plan(
        client, kind, owner, package_type, package_name, plan,
        max_deletions=max_deletions, journal=journal, on_progress=on_progress,
    )  # fmt: skip


async def apply_plan(
    client: ClientBase,
    kind: OwnerKind,
    owner: str | None,
    package_type: str,
    package_name: str,
    plan: RetentionPlan,
    *,
    max_deletions: int = 100,
    journal: str | Path | None = None,
    on_progress: ProgressHook | None = None,
) -> RetentionReport:
    """Delete what an already reviewed ``plan`` marks for deletion, without listing again.

    Raises:
        RetentionLimitError: the plan deletes more than ``max_deletions`` versions.
    """
    if len(plan.to_delete) > max_deletions:
        raise RetentionLimitError(
            f"the plan deletes {len(plan.to_delete)} versions of {package_name!r}, more than "
            f"max_deletions={max_deletions}; review it with dry_run=True, then raise "
            f"max_deletions to {len(plan.to_delete)} to allow it"
        )
    with _open_journal(journal) as out:
        return await _delete_planned(
            client, kind, owner, package_type, package_name, plan, out, on_progress
        )


async def _delete_planned(
    client: ClientBase,
    kind: OwnerKind,
    owner: str | None,
    package_type: str,
    package_name: str,
    plan: RetentionPlan,
    journal: IO[str] | None,
    on_progress: ProgressHook | None,
) -> RetentionReport:
    deleted: list[int] = []
    gone: list[int] = []
    failed: list[tuple[int, str]] = []
    planned = list(plan.to_delete)
    for index, item in enumerate(planned):
        version = item.version
        try:
            await client._delete_version(kind, owner, package_type, package_name, version.id)
        except NotFoundError:
            gone.append(version.id)
            outcome = "already-gone"
        except (AuthError, RateLimitError) as exc:
            failed.append((version.id, str(exc)))
            rest = tuple(p.version.id for p in planned[index + 1 :])
            _notify(on_progress, item, "failed")
            return _report(plan, deleted, gone, failed, rest)
        except PackagesError as exc:
            failed.append((version.id, str(exc)))
            outcome = "failed"
        else:
            deleted.append(version.id)
            outcome = "deleted"
            if journal is not None:
                entry = JournalEntry(
                    owner_kind=kind, owner=owner, package_type=package_type,
                    package_name=package_name, version_id=version.id, name=version.name,
                    tags=version.tags, deleted_at=datetime.now(timezone.utc),
                )  # fmt: skip
                journal.write(msgspec.json.encode(entry).decode() + "\n")
                journal.flush()
        _notify(on_progress, item, outcome)
    return _report(plan, deleted, gone, failed, ())


def _report(
    plan: RetentionPlan,
    deleted: list[int],
    gone: list[int],
    failed: list[tuple[int, str]],
    rest: tuple[int, ...],
) -> RetentionReport:
    return RetentionReport(
        plan=plan, dry_run=False, deleted=tuple(deleted), already_gone=tuple(gone),
        failed=tuple(failed), not_attempted=rest,
    )  # fmt: skip


def _notify(hook: ProgressHook | None, item: PlannedVersion, outcome: str) -> None:
    if hook is not None:
        hook(item, outcome)


@contextlib.contextmanager
def _open_journal(path: str | Path | None) -> Iterator[IO[str] | None]:
    if path is None:
        yield None
        return
    with Path(path).open("a", encoding="utf-8") as handle:
        yield handle


def read_journal(path: str | Path) -> list[JournalEntry]:
    """The entries of a journal file, in the order they were written."""
    entries = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(msgspec.json.decode(line, type=JournalEntry))
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ValueError(f"{path}:{number}: not a journal entry: {exc}") from exc
    return entries


async def restore_from_journal(
    client: ClientBase,
    path: str | Path,
    *,
    on_progress: Callable[[JournalEntry, str], None] | None = None,
) -> RestoreReport:
    """Restore every version a journal records; 404s count as done. Safe to re-run."""
    restored: list[int] = []
    done: list[int] = []
    failed: list[tuple[int, str]] = []
    for entry in read_journal(path):
        try:
            await client._restore_version(
                entry.owner_kind, entry.owner, entry.package_type, entry.package_name,
                entry.version_id,
            )  # fmt: skip
        except NotFoundError:
            done.append(entry.version_id)
            outcome = "already-done"
        except PackagesError as exc:
            failed.append((entry.version_id, str(exc)))
            outcome = "failed"
        else:
            restored.append(entry.version_id)
            outcome = "restored"
        if on_progress is not None:
            on_progress(entry, outcome)
    return RestoreReport(restored=tuple(restored), already_done=tuple(done), failed=tuple(failed))
