"""Applying a retention policy to a package's versions, and undoing it from a journal.

How this works
--------------
``apply_retention`` lists every active version of one package (all pages), asks the pure
planner (``plan_retention``; for a container package with a ``registry``, ``plan_images``
on the package's image graph) which to delete and, unless ``dry_run``, hands the plan to
``apply_plan``. Both work against :class:`VersionStore`, the four owner-generic version
operations of :class:`~aiogh_packages.PackagesClient` (so its write spacing, points budget and
rate-limit handling apply), or any in-memory stand-in.

``apply_plan`` deletes the planned versions oldest first, one after another. For each:

1. **re-check** (unless ``recheck=False``): one GET; a version gone meanwhile is
   ``already_gone``, one whose tags or name now make the policy keep it is ``changed``
   (by-image rules re-check protection only; a ``cascade`` child also a new tag, and it
   is skipped when its image was not deleted);
2. **write ahead**: the journal gets a ``pending`` line, fsynced, *before* the DELETE;
3. the DELETE, then its outcome line: ``deleted``, ``already_gone`` (404), ``retained``
   (GitHub keeps it by rule: the last version, a popular public version; with GitHub's
   message), or ``failed``. A 401, or a 403 that is not a rate limit, stops the run at once
   (nothing further is sent): the token cannot delete, so every other DELETE would fail too.

The journal's records and file handling live in :mod:`.retention_journal` (its names
are importable from here too). Its first line for a package is a ``plan`` record (owner,
package, API host, policy, planned ids), so ``resume_from_journal`` can finish an
interrupted run and ``restore_from_journal`` restores every version whose DELETE may have
been applied: each one with a ``pending`` (or, in 0.1 journals, ``deleted``) line,
whatever came after it. A SIGKILL at any moment therefore leaves a journal from which
nothing deleted is missing; a torn last line (the crash case) is reported and skipped,
every complete line is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Generic, Literal, Protocol, cast

import msgspec

from ._sansio.image_plan import plan_images
from ._sansio.images import ImageVersion, Unreadable, build_graph
from ._sansio.registry_wire import Manifest
from ._sansio.retention_plan import (
    Decision,
    PlannedVersion,
    RetentionPlan,
    RetentionPolicy,
    V,
    VersionLike,
    deletion_order,
    is_github_refusal,
    plan_retention,
)
from ._sansio.retention_plan import _protection as _recheck_protection
from ._sansio.retention_plan import recheck as _recheck
from .errors import (
    APIError,
    AuthError,
    ForbiddenError,
    NotFoundAfterRetryError,
    NotFoundError,
    PackagesError,
    RateLimitError,
)
from .models import PackageState, PackageType, PackageVersion
from .owner import Owner
from .retention_journal import (
    Journal,
    JournalEntry,
    JournalPlan,
    JournalStatus,
    JournalUntag,
    append_to_journal,
    load_journal,
    maybe_deleted,
    open_journal,
    read_journal,
    section_key,
    write_record,
)

__all__ = [
    "Journal",
    "JournalEntry",
    "JournalPlan",
    "JournalUntag",
    "ManifestReader",
    "Outcome",
    "RestoreReport",
    "RetentionLimitError",
    "RetentionReport",
    "VersionOutcome",
    "VersionStore",
    "apply_plan",
    "append_to_journal",
    "apply_retention",
    "load_journal",
    "read_journal",
    "restore_from_journal",
    "resume_from_journal",
]

Outcome = Literal["deleted", "already_gone", "retained", "changed", "failed", "not_attempted"]
ProgressHook = Callable[[PlannedVersion, str], None]
"""Called after each planned deletion with its outcome (an :data:`Outcome`)."""

# Rules that delete a version whatever the selection says: only protection (and, for a
# child going with its image, a new tag) keeps it at the re-check.
_BY_IMAGE = frozenset({"cascade", "orphan", "ghost-image", "partial-image"})
_TOKEN_ADVICE = (
    "the token needs delete:packages (classic) or the package's admin role; "
    "nothing further was sent"
)


class VersionStore(Protocol):
    """The version operations retention needs; :class:`~aiogh_packages.PackagesClient` is one."""

    def iter_package_versions(
        self,
        owner: Owner,
        package_type: PackageType,
        package_name: str,
        *,
        state: PackageState | None = None,
        per_page: int = 100,
    ) -> AsyncIterator[PackageVersion]:
        """Every version of the package, all pages."""
        ...

    async def get_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        """One version; NotFoundError when it is not active."""
        ...

    async def delete_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Delete one version."""
        ...

    async def restore_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Restore one deleted version."""
        ...


class ManifestReader(Protocol):
    """Where container manifests come from; :class:`~aiogh_packages.RegistryClient` is one."""

    async def get_manifests(
        self, owner: Owner | str, package: str, digests: Iterable[str]
    ) -> Mapping[str, Manifest | Unreadable]:
        """Each digest's manifest, or an ``Unreadable`` saying why not."""
        ...


class RetentionLimitError(ValueError):
    """The plan deletes more versions than ``max_deletions`` allows; nothing was deleted."""


class VersionOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What happened to one planned deletion, and why."""

    id: int
    outcome: Outcome
    reason: str = ""


class RetentionReport(msgspec.Struct, Generic[V], frozen=True, kw_only=True):
    """What ``apply_retention``/``apply_plan`` did.

    Attributes:
        plan: the plan, every version with its decision and rule.
        dry_run: True when nothing was deleted on purpose.
        deleted: ids deleted by this run.
        already_gone: ids planned for deletion that GitHub no longer had (404).
        failed: ``(id, reason)`` for deletions that failed.
        not_attempted: ids left alone after a failure that stops the run (auth, rate limit).
        retained: ``(id, GitHub's message)`` for deletions GitHub refuses by rule.
        changed: ids skipped because the re-check found the policy now keeps them.
        deferred: ids beyond ``limit``, left for the next run.
        outcomes: one :class:`VersionOutcome` per planned deletion, in the order tried.
        stopped: why the run stopped early (an authorization failure), else None.
    """

    plan: RetentionPlan[V]
    dry_run: bool
    deleted: tuple[int, ...] = ()
    already_gone: tuple[int, ...] = ()
    failed: tuple[tuple[int, str], ...] = ()
    not_attempted: tuple[int, ...] = ()
    retained: tuple[tuple[int, str], ...] = ()
    changed: tuple[int, ...] = ()
    deferred: tuple[int, ...] = ()
    outcomes: tuple[VersionOutcome, ...] = ()
    stopped: str | None = None

    @property
    def ok(self) -> bool:
        """True when every attempted deletion is done, retained by GitHub or skipped."""
        return not self.failed and not self.not_attempted


class RestoreReport(msgspec.Struct, frozen=True, kw_only=True):
    """What ``restore_from_journal`` did.

    Attributes:
        restored: ids restored.
        already_done: ids whose restore got 404: never deleted, restored already, or gone.
        failed: ``(id, reason)`` for restores that failed.
        torn_tail: the torn last line of the journal, skipped, or None.
    """

    restored: tuple[int, ...] = ()
    already_done: tuple[int, ...] = ()
    failed: tuple[tuple[int, str], ...] = ()
    torn_tail: str | None = None


async def apply_retention(
    store: VersionStore,
    owner: Owner,
    package_type: PackageType,
    package_name: str,
    policy: RetentionPolicy,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    max_deletions: int = 100,
    journal: str | Path | None = None,
    on_progress: ProgressHook | None = None,
    limit: int | None = None,
    recheck: bool = True,
    api_url: str | None = None,
    registry: ManifestReader | None = None,
) -> RetentionReport:
    """List, plan and (unless ``dry_run``) delete; see the module docstring and ``apply_plan``.

    For a container package, pass ``registry`` (a :class:`~aiogh_packages.RegistryClient`,
    or any :class:`ManifestReader`) to plan by image: its manifests are read
    (each digest once) and untagged platform images, attestations and signatures are kept
    while a kept image needs them. Without one, no untagged container version is deleted.

    Raises:
        ValueError: a ``registry`` with the authenticated user as owner (the registry path
            needs the login: pass ``Owner.user(login)``), or an invalid argument.
    """
    _check_count("max_deletions", max_deletions)
    if registry is not None and package_type == "container" and owner.name is None:
        raise ValueError("the registry needs the owner's login: use Owner.user(name), not 'me'")
    listing = store.iter_package_versions(owner, package_type, package_name)
    versions = [v async for v in listing]
    moment = now or datetime.now(timezone.utc)
    if registry is not None and package_type == "container":
        plan = await _plan_by_image(registry, owner, package_name, versions, policy, moment)
    else:
        plan = plan_retention(versions, policy, now=moment, package_type=package_type)
    if dry_run:
        return RetentionReport(plan=plan, dry_run=True)
    return await apply_plan(
        store, owner, package_type, package_name, plan, max_deletions=max_deletions,
        journal=journal, on_progress=on_progress, limit=limit, recheck=recheck, api_url=api_url,
    )  # fmt: skip


async def _plan_by_image(
    registry: ManifestReader,
    owner: Owner,
    package_name: str,
    versions: list[PackageVersion],
    policy: RetentionPolicy,
    now: datetime,
) -> RetentionPlan:
    images = [ImageVersion(digest=v.name, tags=v.tags, id=v.id) for v in versions]
    manifests = await registry.get_manifests(owner, package_name, [i.digest for i in images])
    return plan_images(versions, policy, build_graph(images, manifests), now=now)


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an int >= 0, got {value!r}")


async def apply_plan(
    store: VersionStore,
    owner: Owner,
    package_type: PackageType,
    package_name: str,
    plan: RetentionPlan[V],
    *,
    max_deletions: int = 100,
    journal: str | Path | None = None,
    on_progress: ProgressHook | None = None,
    limit: int | None = None,
    recheck: bool = True,
    api_url: str | None = None,
) -> RetentionReport[V]:
    """Delete what an already reviewed ``plan`` marks for deletion, oldest first.

    The plan may hold ``PackageVersion`` or ``VersionSummary`` items: the journal and the
    re-check need only the id, name and tags.

    Args:
        limit: delete only the ``limit`` oldest planned versions; the rest are ``deferred``
            for the next run. ``max_deletions`` applies to what this run deletes.
        recheck: fetch each version right before its DELETE (one GET each) and skip it as
            ``changed`` when the plan's policy would now keep it.
        journal: append the plan and every intent and outcome here (JSON lines, fsynced).
        api_url: the API root, recorded in the journal so undo hints name the host.

    Raises:
        RetentionLimitError: this run would delete more than ``max_deletions`` versions.
    """
    _check_count("max_deletions", max_deletions)
    if limit is not None:
        _check_count("limit", limit)
    ordered = deletion_order(plan)
    batch, deferred = ordered[:limit], ordered[limit:] if limit is not None else ()
    if len(batch) > max_deletions:
        raise RetentionLimitError(
            f"the plan deletes {len(batch)} versions of {package_name!r}, more than "
            f"max_deletions={max_deletions}; review it with dry_run=True, then raise "
            f"max_deletions to {len(batch)} to allow it (or set a limit)"
        )
    section = _Section(owner, package_type, package_name, api_url)
    with open_journal(journal) as out:
        applier = _Applier(store, section, out, plan.policy, on_progress, recheck=recheck)
        if batch:
            applier.write(section.plan_record(batch, plan.policy))
        for item in batch:
            if not await applier.one(item):
                break
    return applier.report(plan, batch, tuple(p.version.id for p in deferred))


class _Section:
    """One package's part of a journal: who, what, where."""

    def __init__(
        self, owner: Owner, package_type: PackageType, package_name: str, api_url: str | None
    ) -> None:
        self.owner, self.package_type, self.package_name = owner, package_type, package_name
        self.api_url = api_url

    def plan_record(
        self, batch: tuple[PlannedVersion[Any], ...], policy: RetentionPolicy | None
    ) -> JournalPlan:
        return JournalPlan(
            owner_kind=self.owner.kind, owner=self.owner.name, package_type=self.package_type,
            package_name=self.package_name, planned=tuple(p.version.id for p in batch),
            policy=policy, api_url=self.api_url, at=datetime.now(timezone.utc),
            rules={p.version.id: p.rule for p in batch if p.rule != "delete"},
            goes_with={p.version.id: p.goes_with for p in batch if p.goes_with},
        )  # fmt: skip

    def entry(self, v: VersionLike, status: JournalStatus, reason: str = "") -> JournalEntry:
        return JournalEntry(
            owner_kind=self.owner.kind, owner=self.owner.name, package_type=self.package_type,
            package_name=self.package_name, version_id=v.id, name=v.name, tags=v.tags,
            status=status, at=datetime.now(timezone.utc), reason=reason or None,
            api_url=self.api_url,
        )  # fmt: skip


class _Applier:
    """Deletes planned versions one by one, journaling intent and outcome."""

    def __init__(
        self,
        store: VersionStore,
        section: _Section,
        journal: IO[str] | None,
        policy: RetentionPolicy | None,
        hook: ProgressHook | None,
        *,
        recheck: bool = True,
    ) -> None:
        self.store, self.section, self.journal = store, section, journal
        self.policy, self.hook, self.recheck = policy, hook, recheck
        self.outcomes: list[VersionOutcome] = []
        self.stopped: str | None = None
        self.kept_images: set[int] = set()  # tried, but not deleted: their children stay
        self.current: VersionLike  # the version being worked on, as last fetched

    def write(self, record: JournalPlan | JournalEntry) -> None:
        """Append one line and make it durable before going on (write-ahead)."""
        if self.journal is not None:
            write_record(self.journal, record)

    async def one(self, item: PlannedVersion[Any]) -> bool:
        """Re-check and delete one version; False when the run must stop."""
        self.current = item.version
        stays = [i for i in item.goes_with if i in self.kept_images]
        if stays:
            reason = f"its image {stays[0]} was not deleted, so it still needs this version"
            self._summary(item, "changed", reason)
            return True
        try:
            outcome, reason = await self._attempt(item)
        except APIError as exc:
            outcome, reason = _classify(exc)
            if outcome == "failed" and _stops(exc):
                if not isinstance(exc, RateLimitError):
                    self.stopped = f"{exc}; {_TOKEN_ADVICE}"
                self._summary(item, "failed", str(exc))
                return False
        except PackagesError as exc:
            outcome, reason = "failed", str(exc)
        self._summary(item, outcome, reason)
        return True

    async def _attempt(self, item: PlannedVersion[Any]) -> tuple[Outcome, str]:
        s = self.section
        args = (s.owner, s.package_type, s.package_name, item.version.id)
        if self.recheck:
            try:
                self.current = await self.store.get_package_version(*args)
            except NotFoundError:
                return "already_gone", "not found when re-checked before its DELETE"
            verdict = self._verdict(item)
            if verdict is not None:
                return "changed", f"changed since the plan: {verdict[1]}"
        self.write(s.entry(self.current, "pending"))
        try:
            await self.store.delete_package_version(*args)
        except NotFoundAfterRetryError:
            return "deleted", "an attempt lost its answer; GitHub had applied it"
        except NotFoundError:
            return "already_gone", "GitHub answered 404: already deleted"
        return "deleted", ""

    def _verdict(self, item: PlannedVersion[Any]) -> tuple[str, str] | None:
        """Why the policy would now keep the freshly fetched version, or None."""
        if self.policy is None:
            return None
        if item.rule not in _BY_IMAGE:
            return _recheck(self.current, self.policy)
        new_tags = [t for t in self.current.tags if t not in item.version.tags]
        if item.rule == "cascade" and new_tags:
            return "tagged", f"it is now tagged {', '.join(new_tags)}"
        return _recheck_protection(self.current, self.policy)

    def _summary(self, item: PlannedVersion[Any], outcome: Outcome, reason: str) -> None:
        if item.version.id and outcome not in ("deleted", "already_gone"):
            self.kept_images.add(item.version.id)
        status = cast(JournalStatus, outcome)  # never not_attempted: only tried versions
        self.write(self.section.entry(self.current, status, reason))
        self.outcomes.append(VersionOutcome(id=item.version.id, outcome=outcome, reason=reason))
        if self.hook is not None:
            self.hook(item, outcome)

    def report(
        self,
        plan: RetentionPlan[V],
        batch: tuple[PlannedVersion[V], ...],
        deferred: tuple[int, ...],
    ) -> RetentionReport[V]:
        tried = {o.id for o in self.outcomes}
        rest = tuple(p.version.id for p in batch if p.version.id not in tried)
        skipped = [
            VersionOutcome(id=i, outcome="not_attempted", reason="the run stopped") for i in rest
        ]
        outcomes = (*self.outcomes, *skipped)

        def ids(kind: Outcome) -> tuple[int, ...]:
            return tuple(o.id for o in outcomes if o.outcome == kind)

        def why(kind: Outcome) -> tuple[tuple[int, str], ...]:
            return tuple((o.id, o.reason) for o in outcomes if o.outcome == kind)

        return RetentionReport(
            plan=plan, dry_run=False, deleted=ids("deleted"), already_gone=ids("already_gone"),
            failed=why("failed"), not_attempted=rest, retained=why("retained"),
            changed=ids("changed"), deferred=deferred, outcomes=outcomes, stopped=self.stopped,
        )  # fmt: skip


def _classify(exc: APIError) -> tuple[Outcome, str]:
    """GitHub's refusals by rule are ``retained`` with its message; the rest ``failed``."""
    message = exc.github_message or str(exc)
    if is_github_refusal(exc.status, message):
        return "retained", f"GitHub keeps it: {message}"
    return "failed", str(exc)


def _stops(exc: APIError) -> bool:
    """401, a 403 that is not a rate limit, and rate limits beyond max_wait stop the run."""
    return isinstance(exc, (AuthError, ForbiddenError, RateLimitError))


async def restore_from_journal(
    store: VersionStore,
    path: str | Path,
    *,
    on_progress: Callable[[JournalEntry, str], None] | None = None,
) -> RestoreReport:
    """Restore every version whose DELETE the journal says may have been applied.

    A 404 counts as done (it was not deleted after all, or is restored already), so undo can
    be re-run. A torn last line is skipped and reported in ``torn_tail``.
    """
    journal = load_journal(path)
    restored: list[int] = []
    done: list[int] = []
    failed: list[tuple[int, str]] = []
    for entry in maybe_deleted(journal.entries):
        try:
            await store.restore_package_version(
                entry.owner_value, entry.package_type, entry.package_name, entry.version_id
            )
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
    return RestoreReport(
        restored=tuple(restored), already_done=tuple(done), failed=tuple(failed),
        torn_tail=journal.torn_tail,
    )  # fmt: skip


def _unfinished(journal: Journal, plan: JournalPlan) -> list[int]:
    """The planned ids of a section not settled yet: never tried, pending, or failed."""
    settled = ("deleted", "already_gone", "retained", "changed")
    final = {
        e.version_id
        for e in journal.entries
        if section_key(e) == section_key(plan) and e.status in settled
    }
    return [i for i in plan.planned if i not in final]


async def resume_from_journal(
    store: VersionStore,
    path: str | Path,
    *,
    now: datetime | None = None,
    on_progress: ProgressHook | None = None,
) -> list[RetentionReport]:
    """Finish an interrupted run: re-check and delete each planned version not yet settled.

    Not settled: never tried, ``pending`` (the run died during its DELETE) or ``failed``
    (tried again, e.g. after fixing the token).

    Versions are fetched again (a pending one that is gone was deleted by the interrupted
    run: undo still restores it) and re-checked against the journal's policy. Appends to
    the same journal. On a finished journal nothing is sent. One report per package section.
    """
    journal = load_journal(path)
    moment = now or datetime.now(timezone.utc)
    reports = []
    for plan in journal.plans:
        section = _Section(plan.owner_value, plan.package_type, plan.package_name, plan.api_url)
        items = [_resumed(i, moment, plan) for i in _unfinished(journal, plan)]
        resumed = RetentionPlan(items=tuple(items), policy=plan.policy)
        with open_journal(path) as out:
            applier = _Applier(store, section, out, plan.policy, on_progress)
            for item in items:
                if not await applier.one(item):
                    break
        reports.append(applier.report(resumed, tuple(items), ()))
        if applier.stopped:
            break
    return reports


def _resumed(version_id: int, now: datetime, plan: JournalPlan) -> PlannedVersion:
    """A planned deletion known by id and its rule; the re-check fetches the rest."""
    stub = msgspec.convert(
        {"id": version_id, "name": "", "url": "", "package_html_url": "",
         "created_at": now.isoformat(), "updated_at": now.isoformat()},
        PackageVersion,
    )  # fmt: skip
    return PlannedVersion(
        version=stub, decision=Decision.DELETE, rule=plan.rules.get(version_id, "delete"),
        reason="resumed", age=now - now, goes_with=plan.goes_with.get(version_id, ()),
    )  # fmt: skip
