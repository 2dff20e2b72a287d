"""The retention planner for container packages by image: versions + policy + graph + now -> plan.

Does no I/O and never reads the clock. The Packages API lists every manifest of a container
package as a version; only top-level manifests carry tags. So the policy's rules (protect,
select, keep counts, age; see :mod:`.retention_plan`) apply to the *top-level* versions of
the :class:`~.images.ImageGraph` (images, ghost and partial indexes, orphans, and versions
whose manifest could not be read), and every other version follows its images::

    top-level version  -> the policy's verdict, then, in this order:
      |- delete_orphans / delete_ghost_images / delete_partial_images, unless protected
      |                                                     -> delete "orphan" / ...
      |- untagged and younger than grace (by created_at)    -> keep "grace"
      |- untagged and the graph fails closed                -> keep "fail-closed"
      '- every version would go: the newest one             -> keep "github-last-version"
    child (platform, attestation, signature)
      |- protected                                          -> keep "protected-*"
      |- needed by a kept top-level version                 -> keep "needed-by-image"
      |- untagged and younger than grace / fail closed      -> keep "grace" / "fail-closed"
      '- otherwise it goes with its images                  -> delete "cascade"

Fail closed: when any manifest failed other than by a 404 (a server error after retries, an
unknown media type, bad JSON), or a version is not in the graph at all, no untagged version
of the package is deleted, and the plan says which manifests and why. A listed version
whose manifest is missing (404) is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ..models import PackageVersion
from .images import ImageGraph
from .retention_plan import (
    Decision,
    PlannedVersion,
    RetentionPlan,
    RetentionPolicy,
    Rule,
    _age,
    _fmt,
    _protection,
    _stamp,
    plan_retention,
)

__all__ = ["plan_images"]

_Verdict = tuple[Rule, str]
_CHILD_ROLES = frozenset({"platform", "attestation", "signature"})
_DELETING = frozenset({"delete", "orphan", "ghost-image", "partial-image", "cascade"})
_OPTIONS: dict[str, tuple[str, Rule, str]] = {
    "orphan": ("delete_orphans", "orphan", "the image it belongs to is gone"),
    "ghost": ("delete_ghost_images", "ghost-image", "none of its platform versions exist"),
    "partial": ("delete_partial_images", "partial-image", "some platform versions are missing"),
}
_LAST_IMAGE = "GitHub refuses to delete the last version of a package; the newest image is kept"
_NO_PARENT = "no top-level version of the package needs it any more, yet it is not an orphan"


def _short(digest: str) -> str:
    return digest[:19]


def _unique(versions: Iterable[PackageVersion]) -> list[PackageVersion]:
    seen: dict[int, PackageVersion] = {}
    for v in versions:
        seen.setdefault(v.id, v)
    return list(seen.values())


def _role(graph: ImageGraph, v: PackageVersion) -> str:
    node = graph.nodes.get(v.name)
    return node.role if node is not None else "unknown"


def _held(
    v: PackageVersion, verdict: _Verdict, closed: bool, policy: RetentionPolicy, now: datetime
) -> _Verdict:
    """Grace and fail-closed: the two rules that keep an untagged version that would go."""
    if verdict[0] not in _DELETING or v.tags:
        return verdict
    young: timedelta = now - v.created_at
    if young < policy.grace:
        return "grace", f"untagged and {_fmt(young)} old, within grace={_fmt(policy.grace)}"
    if closed:
        return "fail-closed", "untagged, and some manifests of the package could not be read"
    return verdict


def _top_verdict(
    v: PackageVersion, base: _Verdict, graph: ImageGraph, policy: RetentionPolicy
) -> _Verdict:
    option = _OPTIONS.get(_role(graph, v))
    if option is None or base[0].startswith("protected-"):
        return base
    flag, rule, why = option
    if getattr(policy, flag):
        return rule, f"{why}; {flag} is set"
    return base


def _needers(graph: ImageGraph, top: list[PackageVersion]) -> dict[str, list[PackageVersion]]:
    """For each digest, the top-level versions that need it (children, referrers, nested)."""
    needed: dict[str, list[PackageVersion]] = {}
    for v in top:
        for digest in graph.needs(v.name):
            needed.setdefault(digest, []).append(v)
    return needed


def _child_verdict(
    v: PackageVersion, needers: list[PackageVersion], kept: set[int], policy: RetentionPolicy
) -> tuple[_Verdict, tuple[int, ...]]:
    if protected := _protection(v, policy):
        return protected, ()
    keepers = [n for n in needers if n.id in kept]
    if keepers:
        names = ", ".join(f"{_short(n.name)} ({','.join(n.tags) or 'untagged'})" for n in keepers)
        return ("needed-by-image", f"needed by kept image {names}"), ()
    if not needers:
        return ("needed-by-image", _NO_PARENT), ()
    images = ", ".join(_short(n.name) for n in needers)
    return ("cascade", f"goes with its image {images}"), tuple(n.id for n in needers)


def _last_version(
    top: list[PackageVersion], verdicts: dict[int, _Verdict], policy: RetentionPolicy
) -> None:
    if top and all(verdicts[v.id][0] in _DELETING for v in top):
        newest = max(top, key=lambda v: (_stamp(v, policy), v.id))
        verdicts[newest.id] = ("github-last-version", _LAST_IMAGE)


def plan_images(
    versions: Iterable[PackageVersion],
    policy: RetentionPolicy,
    graph: ImageGraph,
    *,
    now: datetime,
) -> RetentionPlan:
    """Plan one container package by image (see the module docstring for the rules).

    Args:
        versions: every active version of the package (a repeated id is planned once).
        policy: the rules, applied to top-level versions; ``grace`` and the
            ``delete_*`` options as described above.
        graph: the package's image graph (:func:`~.images.build_graph`) from these versions.
        now: the aware datetime that ages are measured from.

    Raises:
        ValueError: ``now`` or a version's timestamp is naive, or ``prerelease_only`` is set.
    """
    unique = _unique(versions)
    top = [v for v in unique if _role(graph, v) not in _CHILD_ROLES]
    base = plan_retention(top, policy, now=now, package_type="docker")
    ages = {v.id: _age(v, policy, now) for v in unique}
    verdicts = {p.version.id: (p.rule, p.reason) for p in base.items}
    closed = graph.fail_closed or any(v.name not in graph.nodes for v in unique)
    for v in top:
        verdict = _top_verdict(v, verdicts[v.id], graph, policy)
        verdicts[v.id] = _held(v, verdict, closed, policy, now)
    _last_version(top, verdicts, policy)
    kept = {i for i, (rule, _) in verdicts.items() if rule not in _DELETING}
    needed, goes = _needers(graph, top), dict[int, tuple[int, ...]]()
    for v in unique:
        if v.id not in verdicts:
            verdict, goes[v.id] = _child_verdict(v, needed.get(v.name, []), kept, policy)
            verdicts[v.id] = _held(v, verdict, closed, policy, now)
    items = tuple(_item(v, verdicts[v.id], goes.get(v.id, ()), graph, ages[v.id]) for v in unique)
    items = _count_cascades(items)
    unread = [v.name for v in unique if v.name not in graph.nodes]
    return RetentionPlan(items=items, warnings=_warnings(base, graph, unread), policy=policy)


def _item(
    v: PackageVersion,
    verdict: _Verdict,
    goes_with: tuple[int, ...],
    graph: ImageGraph,
    age: timedelta,
) -> PlannedVersion:
    rule, reason = verdict
    decision = Decision.DELETE if rule in _DELETING else Decision.KEEP
    return PlannedVersion(
        version=v, decision=decision, rule=rule, reason=reason, age=age,
        role=_role(graph, v), goes_with=goes_with if rule == "cascade" else (),
    )  # fmt: skip


def _count_cascades(items: tuple[PlannedVersion, ...]) -> tuple[PlannedVersion, ...]:
    """Say in each deleted image's reason how many child versions go with it."""
    counts: dict[int, int] = {}
    for p in items:
        for image in p.goes_with:
            counts[image] = counts.get(image, 0) + 1
    return tuple(
        _with_reason(p, f"{p.reason}; {counts[p.version.id]} child version(s) go with it")
        if counts.get(p.version.id)
        else p
        for p in items
    )


def _with_reason(p: PlannedVersion, reason: str) -> PlannedVersion:
    return PlannedVersion(
        version=p.version, decision=p.decision, rule=p.rule, reason=reason, age=p.age,
        role=p.role, goes_with=p.goes_with,
    )  # fmt: skip


def _warnings(base: RetentionPlan, graph: ImageGraph, unread: list[str]) -> tuple[str, ...]:
    warnings = list(base.warnings)
    unknown = {d: why for d, why in graph.problems.items() if graph.nodes[d].role == "unknown"}
    unknown.update((d, "not in the image graph") for d in unread)
    missing = {d: why for d, why in graph.problems.items() if d not in unknown}
    if unknown:
        listed = "; ".join(f"{_short(d)}: {why}" for d, why in sorted(unknown.items()))
        warnings.append(
            f"fail closed: no untagged version is deleted, as {len(unknown)} manifest(s) "
            f"could not be read ({listed})"
        )
    if missing:
        listed = ", ".join(_short(d) for d in sorted(missing))
        warnings.append(
            f"{len(missing)} listed version(s) have no manifest in the registry (404): {listed}"
        )
    return tuple(warnings)
