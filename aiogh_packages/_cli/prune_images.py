"""What ``prune`` adds for container packages: the registry, ``--untag``, and undo's re-tag."""

from __future__ import annotations

import argparse

from .._sansio.registry_wire import default_registry_url
from .._sansio.retention_plan import PatternSyntax
from .._sansio.untag_plan import UntagPlan, plan_untags
from .._untag import retag_from_journal, untag_images
from ..client import PackagesClient
from ..registry import RegistryClient
from ..retention_journal import JournalUntag
from .commands import shell_hint
from .errors import ExitCode, UsageError
from .render import Out, table
from .session import Owner, confirm

__all__ = ["check_image_flags", "open_registry", "retag", "untag"]

_IMAGE_FLAGS = (
    ("registry_url", "--registry-url"),
    ("manifest_cache", "--manifest-cache"),
    ("delete_orphans", "--delete-orphans"),
    ("delete_ghost_images", "--delete-ghost-images"),
    ("delete_partial_images", "--delete-partial-images"),
    ("untag", "--untag"),
)


_SELECTION_FLAGS = (
    ("tag_state", "--tag-state"), ("older_than", "--older-than"),
    ("keep_latest", "--keep-latest"), ("keep_latest_tagged", "--keep-latest-tagged"),
    ("keep_latest_untagged", "--keep-latest-untagged"), ("include_tag", "--include-tag"),
    ("exclude_tag", "--exclude-tag"), ("version_ids", "--version-id"),
    ("prerelease_only", "--prerelease-only"), *_IMAGE_FLAGS[2:5],
)  # fmt: skip


def check_image_flags(args: argparse.Namespace) -> None:
    """Refuse the container-image flags for other package types, and deletion rules with
    ``--untag`` (which deletes no image); a usage error (exit 2) naming the flag."""
    if args.package_type != "container":
        for attribute, flag in _IMAGE_FLAGS:
            if getattr(args, attribute):
                raise UsageError(f"{flag} works with --type container only")
    if args.untag:
        for attribute, flag in _SELECTION_FLAGS:
            if getattr(args, attribute) not in (None, False, []):
                raise UsageError(f"--untag removes tags only: run {flag} in a separate prune")


def open_registry(
    args: argparse.Namespace, owner: Owner, token: str | None
) -> RegistryClient | None:
    """The registry client for a container prune of a named owner, else None.

    The authenticated user (``--me``) has no login to name the registry path with, so its
    plan keeps every untagged version (the plan says so).
    """
    if args.package_type != "container" or owner.name is None:
        return None
    return RegistryClient(
        token=token,
        registry_url=args.registry_url or default_registry_url(args.base_url),
        max_concurrency=min(args.concurrency, 8),
        max_attempts=args.max_tries,
        max_wait_s=args.max_wait,
        timeout_s=args.timeout,
        manifest_cache_dir=args.manifest_cache,
    )


def _untag_rows(plan: UntagPlan) -> list[tuple[str, ...]]:
    return [(str(v.id), v.name[:19], ",".join(v.tags), ",".join(t)) for v, t in plan.remove]


async def _plans(
    args: argparse.Namespace, out: Out, gh: PackagesClient, owner: Owner, names: list[str]
) -> list[tuple[str, UntagPlan]]:
    """Each package's untag plan, shown as a table with the versions left alone."""
    syntax: PatternSyntax = "regex" if args.regex else "glob"
    plans = []
    for name in names:
        versions = [v async for v in gh.iter_package_versions(owner, "container", name)]
        plan = plan_untags(versions, args.untag, protect_tags=args.protect_tag, syntax=syntax)
        plans.append((name, plan))
        if not args.json:
            out.lines(table(("ID", "NAME", "TAGS", "UNTAG"), _untag_rows(plan), out.style))
        for version, why in plan.skipped:
            out.note(f"{name}: {version.id} keeps its tags: {why}")
    return plans


async def untag(
    args: argparse.Namespace,
    out: Out,
    gh: PackagesClient,
    registry: RegistryClient | None,
    owner: Owner,
    names: list[str],
) -> int:
    """``prune --untag PATTERN``: move matching tags off images that keep another tag."""
    if registry is None:
        raise UsageError("--untag needs --type container and --user NAME or --org NAME")
    plans = await _plans(args, out, gh, owner, names)
    count = sum(len(tags) for _, plan in plans for _, tags in plan.remove)
    if args.dry_run or not count:
        if args.json:
            out.json({"untag": [{"id": v.id, "tags": t} for _, p in plans for v, t in p.remove]})
        else:
            out.line("dry run: no tag was moved" if args.dry_run else "no tag to remove")
        return ExitCode.OK
    confirm(out, f"remove {count} tag(s) from images of {', '.join(names)} ({owner})", yes=args.yes)
    outcomes = []
    for name, plan in plans:
        outcomes += await untag_images(gh, registry, owner, name, plan, journal=args.journal)
    failed = [o for o in outcomes if o.outcome == "failed"]
    done = sum(1 for o in outcomes if o.outcome == "untagged")
    if args.json:
        out.json({"outcomes": outcomes, "journal": args.journal})
    else:
        out.line(f"untagged {done}, failed {len(failed)}")
    for o in failed:
        out.note(f"failed to untag {o.tag} of {o.version_id}: {o.reason}")
    if args.journal and done + len(failed) and not args.json:
        again = shell_hint(["undo", "--journal", args.journal], args.base_url)
        out.line(f"journal: {args.journal}; undo with: {again}")
    return ExitCode.ERROR if failed else ExitCode.OK


async def retag(
    args: argparse.Namespace, out: Out, token: str | None, untags: tuple[JournalUntag, ...]
) -> int:
    """Undo's part for untags: put each journaled tag back on its original manifest."""
    if not untags:
        return ExitCode.OK
    url = getattr(args, "registry_url", None) or default_registry_url(args.base_url)
    async with RegistryClient(
        token=token, registry_url=url, max_attempts=args.max_tries
    ) as registry:
        results = await retag_from_journal(registry, untags)
    failed = [(record, error) for record, error in results if error is not None]
    for record, error in failed:
        out.note(f"failed to put tag {record.tag} back on {record.digest}: {error}")
    summary = f"re-tagged {len(results) - len(failed)}, failed {len(failed)}"
    (out.note if args.json else out.line)(summary)  # --json: stdout holds the restore report
    return ExitCode.ERROR if failed else ExitCode.OK
