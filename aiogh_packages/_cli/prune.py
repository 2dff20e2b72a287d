"""``prune`` (plan, confirm, delete, report; ``--resume``) and ``undo`` (restore from a journal)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections import Counter
from datetime import datetime, timezone
from fnmatch import fnmatchcase

import msgspec

from .._sansio.retention_plan import (
    PlannedVersion,
    RetentionPlanDict,
    RetentionPolicy,
    deletion_order,
)
from ..client import PackagesClient
from ..owner import Owner as PublicOwner
from ..registry import RegistryClient
from ..retention import (
    JournalEntry,
    RestoreReport,
    RetentionReport,
    VersionOutcome,
    apply_retention,
    load_journal,
    resume_from_journal,
)
from . import actions, doctor, ops
from .commands import shell_hint
from .errors import ExitCode, Refused, UsageError
from .prune_images import check_image_flags, open_registry, retag, untag
from .render import Out, Progress, age, table
from .session import Owner, confirm, make_client, owner_of

__all__ = ["plan_lines", "policy_from_args", "prune", "short_name", "undo"]

PLAN_HEADER = ("ID", "NAME", "TAGS", "AGE", "DECISION", "RULE")
_ME_CONTAINER = (
    "--me has no login to name the registry path with, so untagged versions are kept; "
    "pass --user LOGIN instead to plan by image"
)
_DECISION_COLOURS = {"delete": "red", "keep": "green"}


class Failure(msgspec.Struct, frozen=True):
    """A version whose deletion or restore failed, and why."""

    id: int
    reason: str


class PruneDocument(msgspec.Struct, frozen=True, kw_only=True):
    """The ``--json`` document of ``prune`` for one package: the plan and what was done."""

    owner_kind: str
    owner: str | None
    package_type: str
    package: str
    dry_run: bool
    plan: RetentionPlanDict
    deleted: tuple[int, ...]
    already_gone: tuple[int, ...]
    failed: list[Failure]
    not_attempted: tuple[int, ...]
    retained: list[Failure]
    changed: tuple[int, ...]
    deferred: tuple[int, ...]
    outcomes: tuple[VersionOutcome, ...]
    stopped: str | None
    journal: str | None


def policy_from_args(args: argparse.Namespace) -> RetentionPolicy:
    """The :class:`RetentionPolicy` the policy flags describe (ValueError when invalid)."""
    return RetentionPolicy(
        keep_latest=args.keep_latest, keep_latest_tagged=args.keep_latest_tagged,
        keep_latest_untagged=args.keep_latest_untagged, older_than=args.older_than,
        age_by=args.age_by, tagged=args.tag_state, include_tags=tuple(args.include_tag),
        exclude_tags=tuple(args.exclude_tag), protect_ids=frozenset(args.protect_id),
        protect_names=tuple(args.protect_name), protect_tags=tuple(args.protect_tag),
        version_ids=frozenset(args.version_ids), prerelease_only=args.prerelease_only,
        pattern_syntax="regex" if args.regex else "glob", grace=args.grace,
        delete_orphans=args.delete_orphans, delete_ghost_images=args.delete_ghost_images,
        delete_partial_images=args.delete_partial_images,
    )  # fmt: skip


def short_name(name: str) -> str:
    """A digest shortened as docker does (``sha256:08a44bab0bdd``); other names unchanged."""
    algorithm, colon, digest = name.partition(":")
    if colon and algorithm.startswith("sha") and len(digest) > 12:
        return f"{name[: len(algorithm) + 13]}"
    return name


def _plan_row(item: PlannedVersion) -> tuple[str, ...]:
    v = item.version
    tags = ",".join(v.tags) or "-"
    return str(v.id), short_name(v.name), tags, age(item.age), str(item.decision), item.rule


def _short_tag(tag: str) -> str:
    """A cosign tag (``sha256-<64 hex>.sig``) shortened like a digest; other tags unchanged."""
    return f"{tag[:19]}….{tag.rsplit('.', 1)[-1]}" if len(tag) > 70 else tag


def _image_row(item: PlannedVersion, cascades: Counter[int]) -> tuple[str, ...]:
    going = cascades[item.version.id]
    row = _plan_row(item)
    tags = ",".join(map(_short_tag, item.version.tags)) or "-"
    return (*row[:2], tags, *row[3:], item.role or "-", f"+{going}" if going else "-")


def plan_lines(report: RetentionReport, out: Out) -> list[str]:
    """The plan as a table (ID, NAME, TAGS, AGE, DECISION, RULE) and a one-line summary.

    A container plan made by image adds ROLE and WITH: how many child versions go with
    each deleted image.
    """
    plan = report.plan
    if any(item.role for item in plan.items):
        cascades = Counter(i for item in plan.items for i in item.goes_with)
        rows = [_image_row(item, cascades) for item in plan.items]
        header: tuple[str, ...] = (*PLAN_HEADER, "ROLE", "WITH")
    else:
        rows, header = [_plan_row(item) for item in plan.items], PLAN_HEADER
    lines = table(header, rows, out.style, paint=_DECISION_COLOURS)
    rules = Counter(item.rule for item in plan.to_keep)
    kept = ", ".join(f"{rule} {count}" for rule, count in rules.most_common())
    summary = f"plan: delete {len(plan.to_delete)}, keep {len(plan.to_keep)}"
    summary += f" ({kept})" if kept else ""
    summary += f" of {len(plan.items)} versions"
    going = sum(1 for item in plan.to_delete if item.goes_with)
    summary += f"; {going} of the deletions go with their images" if going else ""
    return [*lines, out.style(summary, "bold")]


def _document(
    args: argparse.Namespace, owner: Owner, name: str, report: RetentionReport
) -> PruneDocument:
    return PruneDocument(
        owner_kind=owner.kind, owner=owner.name, package_type=args.package_type, package=name,
        dry_run=report.dry_run, plan=report.plan.to_dict(), deleted=report.deleted,
        already_gone=report.already_gone, failed=[Failure(i, why) for i, why in report.failed],
        not_attempted=report.not_attempted,
        retained=[Failure(i, why) for i, why in report.retained], changed=report.changed,
        deferred=report.deferred, outcomes=report.outcomes, stopped=report.stopped,
        journal=None if report.dry_run else args.journal,
    )  # fmt: skip


class _DeletionProgress:
    """The ``on_progress`` hook: counts outcomes and redraws the progress line."""

    def __init__(self, out: Out, total: int) -> None:
        self.progress = Progress(out)
        self.total = total
        self.outcomes: Counter[str] = Counter()

    def __call__(self, item: PlannedVersion, outcome: str) -> None:
        self.outcomes[outcome] += 1
        done = sum(self.outcomes.values())
        self.progress.update(
            f"deleting: {done}/{self.total}, {self.outcomes['failed']} failed "
            f"(last: {item.version.id} {outcome})",
            force=done == self.total,
        )


def _counts(reports: list[RetentionReport]) -> str:
    def total(field: str) -> int:
        return sum(len(getattr(r, field)) for r in reports)

    return (
        f"deleted {total('deleted')}, already gone {total('already_gone')}, "
        f"failed {total('failed')}, not attempted {total('not_attempted')}, "
        f"retained {total('retained')}, changed {total('changed')}"
    )


def _report_lines(reports: list[RetentionReport], args: argparse.Namespace) -> list[str]:
    lines = [_counts(reports)]
    for report in reports:
        lines += [f"  retained {i}: {why}" for i, why in report.retained]
        lines += [
            f"  changed {o.id}: {o.reason}" for o in report.outcomes if o.outcome == "changed"
        ]
    deferred = sum(len(r.deferred) for r in reports)
    if deferred:
        lines.append(f"{deferred} planned deletions remain beyond --limit {args.limit}; run again")
    if args.journal and any(r.deleted or r.outcomes for r in reports):
        again = shell_hint(["undo", "--journal", args.journal], args.base_url)
        lines.append(f"journal: {args.journal}; undo with: {again}")
    return lines


def _check_cap(args: argparse.Namespace, plans: list[RetentionReport]) -> int:
    """How many versions this run deletes; Refused above --max-deletions."""
    count = sum(len(deletion_order(p.plan)[: args.limit]) for p in plans)
    if count > args.max_deletions:
        raise Refused(
            f"refused: the plan deletes {count} versions, more than --max-deletions "
            f"{args.max_deletions}; review it with --dry-run, then pass --max-deletions {count} "
            "(or --limit N to delete the oldest N per run)"
        )
    return count


def _check_selection(args: argparse.Namespace) -> None:
    if args.user is None and args.org is None and not args.me:
        raise UsageError("prune needs one of --user NAME, --org NAME or --me (or --resume)")
    if args.package_type is None:
        raise UsageError("prune needs --type TYPE (or --resume)")
    given = [bool(args.package), bool(args.packages), args.package_glob is not None]
    if sum(given) != 1:
        raise UsageError("name the packages once: PACKAGE, --package NAME ... or --package-glob")


async def _package_names(gh: PackagesClient, owner: Owner, args: argparse.Namespace) -> list[str]:
    if args.package_glob is None:
        return [args.package] if args.package else list(dict.fromkeys(args.packages))
    listing = gh.iter_packages(PublicOwner(owner.kind, owner.name), args.package_type)
    names = [p.name async for p in listing if fnmatchcase(p.name, args.package_glob)]
    if not names:
        raise UsageError(f"no {args.package_type} package of {owner} matches {args.package_glob!r}")
    return names


async def _plan(
    gh: PackagesClient,
    registry: RegistryClient | None,
    owner: Owner,
    args: argparse.Namespace,
    name: str,
    policy: RetentionPolicy,
    now: datetime,
) -> RetentionReport:
    """List one package and plan it (by image, for a container with a registry)."""
    return await apply_retention(
        gh, owner, args.package_type, name, policy, dry_run=True, now=now, registry=registry
    )


def _show_plans(
    out: Out, args: argparse.Namespace, owner: Owner, plans: list[tuple[str, RetentionReport]]
) -> None:
    for name, report in plans:
        if not args.json:
            if len(plans) > 1:
                out.line(out.style(f"== {args.package_type} package {name!r} ({owner}) ==", "bold"))
            out.lines(plan_lines(report, out))
        for warning in report.plan.warnings:
            out.warn(warning if len(plans) == 1 else f"{name}: {warning}")


async def _apply_all(
    gh: PackagesClient,
    args: argparse.Namespace,
    out: Out,
    owner: Owner,
    plans: list[tuple[str, RetentionReport]],
    total: int,
) -> list[tuple[str, RetentionReport]]:
    """Delete each package's shown plan; on interrupt, say what was done and where."""
    hook = _DeletionProgress(out, total)
    done: list[tuple[str, RetentionReport]] = []
    try:
        for name, shown in plans:
            report = await ops.prune(
                gh, owner, args.package_type, name, shown.plan, max_deletions=args.max_deletions,
                journal=args.journal, on_progress=hook, limit=args.limit, recheck=args.recheck,
            )  # fmt: skip
            done.append((name, report))
            if report.stopped:
                break
    except (KeyboardInterrupt, asyncio.CancelledError):
        hook.progress.clear()
        _say_interrupted(out, args, hook.outcomes["deleted"], total)
        raise
    finally:
        hook.progress.clear()
    return done


def _say_interrupted(out: Out, args: argparse.Namespace, deleted: int, total: int) -> None:
    where = f"; journal at {args.journal}" if args.journal else " (no --journal)"
    out.note(f"interrupted: deleted {deleted} of {total}{where}")
    if args.journal:
        out.note(f"finish with: {shell_hint(['prune', '--resume', args.journal], args.base_url)}")
        out.note(f"or undo with: {shell_hint(['undo', '--journal', args.journal], args.base_url)}")


async def prune(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``prune``: show the plans; unless ``--dry-run``, confirm once, delete and report."""
    with actions.step(args, out, token):
        return await _prune(args, out, token)


async def _prune(args: argparse.Namespace, out: Out, token: str | None) -> int:
    if args.resume:
        return await _resume(args, out, token)
    _check_selection(args)
    check_image_flags(args)
    owner = owner_of(args)
    policy = policy_from_args(args) if not args.untag else None
    now = datetime.now(timezone.utc)
    async with make_client(args, token) as gh, contextlib.AsyncExitStack() as stack:
        await doctor.check_prune_token(gh, args, owner, token)
        registry = open_registry(args, owner, token)
        if registry is not None:
            await stack.enter_async_context(registry)
        elif args.package_type == "container" and not args.untag:
            out.note(_ME_CONTAINER)
        names = await _package_names(gh, owner, args)
        if policy is None:
            return await untag(args, out, gh, registry, owner, names)
        plans = [
            (name, await _plan(gh, registry, owner, args, name, policy, now)) for name in names
        ]
        _show_plans(out, args, owner, plans)
        count = _check_cap(args, [r for _, r in plans]) if not args.dry_run else 0
        if args.dry_run and sum(len(r.plan.to_delete) for _, r in plans) > args.max_deletions:
            out.warn("applying this plan needs a larger --max-deletions or a --limit")
        if count:
            what = f"{args.package_type} package(s) {', '.join(map(repr, names))} ({owner})"
            confirm(out, f"delete {count} versions of {what}", yes=args.yes,
                    note="(restorable for 30 days)")  # fmt: skip
            plans = await _apply_all(gh, args, out, owner, plans, count)
    return _finish(args, out, owner, plans, applied=bool(count))


def _finish(
    args: argparse.Namespace,
    out: Out,
    owner: Owner,
    plans: list[tuple[str, RetentionReport]],
    *,
    applied: bool,
) -> int:
    reports = [r for _, r in plans]
    actions.report_prune(args, out, str(owner), plans)
    if args.json:
        docs = [_document(args, owner, name, r) for name, r in plans]
        out.json(docs[0] if len(docs) == 1 else {"packages": docs})
    elif args.dry_run:
        out.line("dry run: nothing was deleted")
    elif applied:
        out.lines(_report_lines(reports, args))
    else:
        out.line("nothing to delete")
    return _exit_code(out, reports)


def _exit_code(out: Out, reports: list[RetentionReport]) -> int:
    for report in reports:
        for version_id, reason in report.failed:
            out.note(f"failed to delete {version_id}: {reason}")
        if report.stopped:
            out.note(f"stopped: {report.stopped}")
            return ExitCode.AUTH
    return ExitCode.OK if all(r.ok for r in reports) else ExitCode.ERROR


async def _resume(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``prune --resume JOURNAL``: finish what the journal planned; a done journal sends nothing."""
    try:
        journal = load_journal(args.resume)
    except FileNotFoundError:
        raise UsageError(f"no journal file {args.resume!r}") from None
    if journal.torn_tail is not None:
        out.note("the journal's last line was torn (a crash while writing it); skipped")
    _check_host(out, journal.api_url, args.base_url)
    args.journal = args.resume
    async with make_client(args, token) as gh:
        reports = await resume_from_journal(gh, args.resume)
    if args.json:
        out.json({"packages": reports})
    else:
        out.lines(_report_lines(reports, args))
    return _exit_code(out, reports)


def _check_host(out: Out, recorded: str | None, base_url: str) -> None:
    """Warn when a journal's API host is not the one this run talks to."""
    if recorded and recorded.rstrip("/") != base_url.rstrip("/"):
        out.warn(f"the journal was written against {recorded}; this run talks to {base_url}")


class _RestoreProgress:
    def __init__(self, out: Out) -> None:
        self.progress = Progress(out)
        self.done = 0

    def __call__(self, entry: JournalEntry, outcome: str) -> None:
        self.done += 1
        self.progress.update(f"restoring: {self.done} ({entry.version_id} {outcome})")


def _restore_summary(report: RestoreReport) -> str:
    return (
        f"restored {len(report.restored)}, not needed (not deleted, or restored already) "
        f"{len(report.already_done)}, failed {len(report.failed)}"
    )


async def undo(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``undo``: restore what a prune journal says may be deleted; exit 1 if a restore failed."""
    try:
        journal = load_journal(args.journal)
    except FileNotFoundError:
        raise UsageError(f"no journal file {args.journal!r}") from None
    _check_host(out, journal.api_url, args.base_url)
    hook = _RestoreProgress(out)
    async with make_client(args, token) as gh:
        try:
            report = await gh.restore_from_journal(args.journal, on_progress=hook)
        finally:
            hook.progress.clear()
    if report.torn_tail is not None:
        out.note(
            "the journal's last line was torn (the run was killed while writing it); "
            f"every complete line was used: {report.torn_tail[:60]!r}"
        )
    if args.json:
        out.json(report)
    else:
        out.line(_restore_summary(report))
    for version_id, reason in report.failed:
        out.note(f"failed to restore {version_id}: {reason}")
    retagged = await retag(args, out, token, journal.untags)
    return ExitCode.ERROR if report.failed or retagged else ExitCode.OK
