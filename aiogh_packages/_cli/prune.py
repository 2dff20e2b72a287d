"""``prune`` (plan, confirm, delete, report) and ``undo`` (restore from a prune journal)."""

from __future__ import annotations

import argparse
import shlex
from collections import Counter
from datetime import datetime, timezone

import msgspec

from .._sansio.retention_plan import PlannedVersion, RetentionPlanDict, RetentionPolicy
from ..client import PackagesClient
from ..retention import JournalEntry, RestoreReport, RetentionReport
from . import ops
from .errors import ExitCode, Refused, UsageError
from .render import Out, Progress, age, table
from .session import Owner, confirm, make_client, owner_of

__all__ = ["plan_lines", "policy_from_args", "prune", "short_name", "undo"]

PLAN_HEADER = ("ID", "NAME", "TAGS", "AGE", "DECISION", "RULE")
_DECISION_COLOURS = {"delete": "red", "keep": "green"}


class Failure(msgspec.Struct, frozen=True):
    """A version whose deletion or restore failed, and why."""

    id: int
    reason: str


class PruneDocument(msgspec.Struct, frozen=True, kw_only=True):
    """The ``--json`` document of ``prune``: the plan and what was done."""

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
    journal: str | None


def policy_from_args(args: argparse.Namespace) -> RetentionPolicy:
    """The :class:`RetentionPolicy` the policy flags describe (ValueError when invalid)."""
    return RetentionPolicy(
        keep_latest=args.keep_latest, older_than=args.older_than, age_field=args.age_by,
        tagged=args.tag_state, include_tags=tuple(args.include_tag),
        exclude_tags=tuple(args.exclude_tag), protect_ids=frozenset(args.protect_id),
        protect_names=tuple(args.protect_name), protect_tags=tuple(args.protect_tag),
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


def plan_lines(report: RetentionReport, out: Out) -> list[str]:
    """The plan as a table (ID, NAME, TAGS, AGE, DECISION, RULE) and a one-line summary."""
    plan = report.plan
    lines = table(PLAN_HEADER, map(_plan_row, plan.items), out.style, paint=_DECISION_COLOURS)
    rules = Counter(item.rule for item in plan.to_keep)
    kept = ", ".join(f"{rule} {count}" for rule, count in rules.most_common())
    summary = f"plan: delete {len(plan.to_delete)}, keep {len(plan.to_keep)}"
    summary += f" ({kept})" if kept else ""
    return [*lines, out.style(summary + f" of {len(plan.items)} versions", "bold")]


def _document(args: argparse.Namespace, owner: Owner, report: RetentionReport) -> PruneDocument:
    return PruneDocument(
        owner_kind=owner.kind, owner=owner.name, package_type=args.package_type,
        package=args.package, dry_run=report.dry_run, plan=report.plan.to_dict(),
        deleted=report.deleted, already_gone=report.already_gone,
        failed=[Failure(i, why) for i, why in report.failed],
        not_attempted=report.not_attempted, journal=None if report.dry_run else args.journal,
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


def _report_lines(report: RetentionReport, args: argparse.Namespace) -> list[str]:
    lines = [
        f"deleted {len(report.deleted)}, already gone {len(report.already_gone)}, "
        f"failed {len(report.failed)}, not attempted {len(report.not_attempted)}"
    ]
    if args.journal and report.deleted:
        again = shlex.join(["aiogh-packages", "undo", "--journal", args.journal])
        lines.append(f"journal: {args.journal}; undo with: {again}")
    return lines


async def _apply(
    gh: PackagesClient, args: argparse.Namespace, out: Out, owner: Owner, shown: RetentionReport
) -> RetentionReport:
    """Delete exactly the versions of the plan that was shown and confirmed."""
    hook = _DeletionProgress(out, len(shown.plan.to_delete))
    try:
        return await ops.prune(
            gh, owner, args.package_type, args.package, shown.plan,
            max_deletions=args.max_deletions, journal=args.journal, on_progress=hook,
        )  # fmt: skip
    finally:
        hook.progress.clear()


def _check_cap(args: argparse.Namespace, plan: RetentionReport) -> None:
    count = len(plan.plan.to_delete)
    if count > args.max_deletions:
        raise Refused(
            f"refused: the plan deletes {count} versions, more than --max-deletions "
            f"{args.max_deletions}; review it with --dry-run, then pass --max-deletions {count}"
        )


async def prune(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``prune``: show the plan; unless ``--dry-run``, confirm, delete and report."""
    owner, policy = owner_of(args), policy_from_args(args)
    now = datetime.now(timezone.utc)
    async with make_client(args, token) as gh:
        report = await ops.plan(gh, owner, args.package_type, args.package, policy, now)
        if not args.json:
            out.lines(plan_lines(report, out))
        for warning in report.plan.warnings:
            out.warn(warning)
        if args.dry_run and len(report.plan.to_delete) > args.max_deletions:
            out.warn(f"applying this plan needs --max-deletions {len(report.plan.to_delete)}")
        if not args.dry_run and report.plan.to_delete:
            _check_cap(args, report)
            what = f"{args.package_type} package {args.package!r} ({owner})"
            action = f"delete {len(report.plan.to_delete)} versions of {what}"
            confirm(out, action, yes=args.yes, note="(restorable for 30 days)")
            report = await _apply(gh, args, out, owner, report)
    if args.json:
        out.json(_document(args, owner, report))
    elif args.dry_run:
        out.line("dry run: nothing was deleted")
    elif report.plan.to_delete:
        out.lines(_report_lines(report, args))
    else:
        out.line("nothing to delete")
    for version_id, reason in report.failed:
        out.note(f"failed to delete {version_id}: {reason}")
    return ExitCode.OK if report.ok else ExitCode.ERROR


class _RestoreProgress:
    def __init__(self, out: Out) -> None:
        self.progress = Progress(out)
        self.done = 0

    def __call__(self, entry: JournalEntry, outcome: str) -> None:
        self.done += 1
        self.progress.update(f"restoring: {self.done} ({entry.version_id} {outcome})")


def _restore_summary(report: RestoreReport) -> str:
    return (
        f"restored {len(report.restored)}, already restored or gone "
        f"{len(report.already_done)}, failed {len(report.failed)}"
    )


async def undo(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``undo``: restore what a prune journal records; exit 1 if any restore failed."""
    hook = _RestoreProgress(out)
    async with make_client(args, token) as gh:
        try:
            report = await gh.restore_from_journal(args.journal, on_progress=hook)
        except FileNotFoundError:
            raise UsageError(f"no journal file {args.journal!r}") from None
        finally:
            hook.progress.clear()
    if args.json:
        out.json(report)
    else:
        out.line(_restore_summary(report))
    for version_id, reason in report.failed:
        out.note(f"failed to restore {version_id}: {reason}")
    return ExitCode.ERROR if report.failed else ExitCode.OK
