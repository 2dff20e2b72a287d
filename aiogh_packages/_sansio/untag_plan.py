"""Which tags ``prune --untag`` removes: versions + patterns -> (version, tag) pairs, and skips.

Does no I/O. GHCR cannot delete a tag on its own (a tag DELETE answers 405), so a tag is
removed by moving it onto a placeholder manifest and deleting that. An image never loses its
last remaining tag this way (that would be a deletion, which goes through the retention
rules), and a tag matching a protected pattern is never removed.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from ..models import PackageVersion
from .retention_plan import PatternSyntax, _matches

__all__ = ["UntagPlan", "plan_untags"]


class UntagPlan(msgspec.Struct, frozen=True, kw_only=True):
    """The tags to remove, by version, and the versions left alone with why."""

    remove: tuple[tuple[PackageVersion, tuple[str, ...]], ...] = ()
    skipped: tuple[tuple[PackageVersion, str], ...] = ()


def _any(tag: str, patterns: Iterable[str], syntax: PatternSyntax) -> bool:
    return any(_matches(tag, p, syntax) for p in patterns)


def plan_untags(
    versions: Iterable[PackageVersion],
    patterns: Iterable[str],
    *,
    protect_tags: Iterable[str] = (),
    syntax: PatternSyntax = "glob",
) -> UntagPlan:
    """The tags matching ``patterns`` to remove from each version that keeps another tag."""
    wanted, protected = tuple(patterns), tuple(protect_tags)
    remove, skipped = [], []
    for v in versions:
        matching = tuple(
            t for t in v.tags if _any(t, wanted, syntax) and not _any(t, protected, syntax)
        )
        if not matching:
            continue
        if len(matching) == len(v.tags):
            why = f"{', '.join(matching)} would leave it without a tag; delete it by the rules"
            skipped.append((v, why))
        else:
            remove.append((v, matching))
    return UntagPlan(remove=tuple(remove), skipped=tuple(skipped))
