"""The retention planner: one package's versions + a policy + "now" -> which to keep or delete.

Does no I/O and never reads the clock: the caller lists *every active* version of the package,
passes ``now`` (an aware datetime) and deletes what the plan says. Every version gets exactly
one decision and the rule that made it, checked in this order (the first rule that applies
decides)::

    version
      |- 1. protected?   id in protect_ids                  -> keep "protected-id"
      |                  name matches protect_names         -> keep "protected-name"
      |                  a tag matches protect_tags         -> keep "protected-tag"
      |- 2. selected?    version_ids given, id not in them  -> keep "not-selected:version-id"
      |                  tagged/untagged state differs      -> keep "not-selected:tagged-filter"
      |                  a tag matches exclude_tags         -> keep "not-selected:exclude-tags"
      |                  a tag matches no include_tags      -> keep "not-selected:include-tags"
      |                  a plain release, prerelease_only   -> keep "not-selected:prerelease"
      |     ... the versions left are *selected* ...
      |- 3. one of the keep_latest newest selected          -> keep "keep-latest"
      |     one of the keep_latest_tagged / _untagged       -> keep "keep-latest-tagged" / ...
      |- 4. age <= older_than                               -> keep "too-recent"
      |- 5. every version would go: the newest one          -> keep "github-last-version"
      '- 6. otherwise                                       -> delete "delete"

A tagged version is selected by ``include_tags`` only when *every* one of its tags matches an
include pattern (a release tagged ``sha-1a2b`` and ``v1.4.0`` survives ``sha-*``); one tag
matching ``protect_tags`` or ``exclude_tags`` keeps it. ``include_tags`` implies
``tagged="tagged"`` unless ``tagged`` is given. The keep counts rank the *selected* versions
only, newest first by ``age_by`` (``updated`` by default: a re-tagged version counts as
recent), ties broken by the higher id; a version is deleted only when neither a keep count nor
``older_than`` keeps it. GitHub refuses to delete the last version of a package (400 "You
cannot delete the last version of a package"), so a plan never deletes every version.

Patterns are case-sensitive ``fnmatch`` globs, or full-match Python regular expressions with
``pattern_syntax="regex"``. A policy without any selection rule is refused rather than
planning to delete everything. ``plan.items`` keeps the input order; a version id listed
twice (pages shift while versions are pushed) is planned once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Generic, Literal, Protocol, TypedDict, TypeVar

import msgspec

from ..models import PackageVersion

__all__ = [
    "AgeField", "Decision", "PatternSyntax", "PlannedVersion", "PlannedVersionDict",
    "RetentionPlan", "RetentionPlanDict", "RetentionPolicy", "Rule", "TaggedFilter",
    "deletion_order", "is_github_refusal", "is_release_name", "parse_duration", "plan_retention",
    "recheck", "VersionLike",
]  # fmt: skip

AgeField = Literal["created", "updated"]
TaggedFilter = Literal["any", "tagged", "untagged"]
PatternSyntax = Literal["glob", "regex"]
Rule = Literal[
    "protected-id", "protected-name", "protected-tag", "not-selected:version-id",
    "not-selected:tagged-filter", "not-selected:exclude-tags", "not-selected:include-tags",
    "not-selected:prerelease", "keep-latest", "keep-latest-tagged", "keep-latest-untagged",
    "too-recent", "github-last-version", "delete", "needs-registry", "grace", "fail-closed",
    "needed-by-image", "cascade", "orphan", "ghost-image", "partial-image",
]  # fmt: skip
_Verdict = tuple[Rule, str]


class VersionLike(Protocol):
    """What planning reads of a version: a :class:`~aiogh_packages.PackageVersion` or a
    :class:`~aiogh_packages.VersionSummary`."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


if TYPE_CHECKING:  # a PEP 696 default: bare ``RetentionPlan`` means one of PackageVersion
    import typing_extensions

    V = typing_extensions.TypeVar("V", bound=VersionLike, default=PackageVersion)
else:  # typing.TypeVar takes a default from Python 3.13 only; it matters to type checkers alone
    V = TypeVar("V", bound=VersionLike)

_NEEDS_REGISTRY_WARNING = (
    "untagged container versions are kept: one may be a platform image, attestation or "
    "signature of a tagged multi-arch image, and only its manifests in the registry can tell; "
    "pass a RegistryClient (apply_retention(..., registry=...)) to plan by image"
)
_NEEDS_REGISTRY = "untagged: it may be part of a multi-arch image; planning it needs the registry"
_DURATION = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", re.ASCII)
_DURATION_FORMS = "one or more <int><unit> in the order w, d, h, m, s, e.g. '30d', '2w', '1d12h'"
_RELEASE = re.compile(r"v?\d+(?:\.\d+)*", re.ASCII)
_NO_VERSION_NAMES = ("container", "docker")
_IMAGE_FLAGS = ("delete_orphans", "delete_ghost_images", "delete_partial_images")
_SELECTION_RULES = (
    "tagged (--tag-state), include_tags (--include-tag), older_than (--older-than), "
    "keep_latest, keep_latest_tagged or keep_latest_untagged (--keep-latest*), "
    "version_ids (--version-id) or prerelease_only (--prerelease-only)"
)
_LAST_VERSION = (
    "GitHub refuses to delete the last version of a package (delete the package instead); "
    "the newest version is kept"
)
# GitHub's answers that keep a version by rule, not by permission: the last version of a
# package (400), a public version with over 5,000 downloads (docs: "Deleting and restoring a
# package"); see /work/shared/github-behaviour.md.
_REFUSAL = re.compile(r"last version of a package|downloads", re.IGNORECASE)


class Decision(str, enum.Enum):
    """What the plan does with a version; compares equal to ``"keep"``/``"delete"``."""

    KEEP = "keep"
    DELETE = "delete"

    def __str__(self) -> str:
        return self.value


def parse_duration(text: str) -> timedelta:
    """Parse ``"30d"``, ``"12h"``, ``"2w"``, ``"90m"``, ``"1d12h"`` (w, d, h, m=minutes, s).

    Raises:
        ValueError: ``text`` is not of that form; the message names it and the accepted forms.
    """
    match = _DURATION.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None or not any(match.groups()):
        raise ValueError(f"invalid duration {text!r}: expected {_DURATION_FORMS}")
    w, d, h, m, s = (int(g or 0) for g in match.groups())
    try:
        return timedelta(weeks=w, days=d, hours=h, minutes=m, seconds=s)
    except OverflowError:
        raise ValueError(f"duration {text!r} is too large") from None


class RetentionPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """What to keep and what to delete; validated when built (see the module docstring).

    Attributes:
        keep_latest: keep this many of the newest selected versions (None: no floor).
        keep_latest_tagged, keep_latest_untagged: the same count among the selected tagged
            (untagged) versions only.
        older_than: delete only versions older than this (None: any age).
        age_by: rank and age by ``updated_at`` (default) or ``created_at``.
        age_field: the 0.1 name of ``age_by``; when given it wins.
        tagged: which tag state is selected: ``any``, ``tagged`` or ``untagged``; left
            unset it is ``tagged`` with ``include_tags``, else ``any``.
        include_tags: a tagged version is selected only when every tag matches one.
        exclude_tags: a version with a tag matching one of these is not selected.
        protect_ids, protect_names, protect_tags: never delete these.
        version_ids: if set, only these versions are selected.
        prerelease_only: select only versions whose name is not a plain release (``1.2.3``).
        pattern_syntax: ``glob`` (default) or ``regex`` (full-match Python regexes).
        grace: container versions only: an untagged version younger than this (by
            ``created_at``) is kept, as its index may still be on its way (default 1 hour).
        delete_orphans, delete_ghost_images, delete_partial_images: container plans by
            image only (:func:`~._sansio.image_plan.plan_images`): also delete, unless
            protected, referrers whose image is gone, indexes none (some) of whose
            platform versions exist.

    Raises:
        ValueError, TypeError: a field is out of range or of the wrong type, a regex does not
            compile, or no selection rule is given; the message names the field and value.
    """

    keep_latest: int | None = None
    keep_latest_tagged: int | None = None
    keep_latest_untagged: int | None = None
    older_than: timedelta | None = None
    age_by: AgeField = "updated"
    age_field: AgeField | None = None
    tagged: TaggedFilter | None = None
    include_tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    protect_ids: frozenset[int] = frozenset()
    protect_names: tuple[str, ...] = ()
    protect_tags: tuple[str, ...] = ()
    version_ids: frozenset[int] = frozenset()
    prerelease_only: bool = False
    pattern_syntax: PatternSyntax = "glob"
    grace: timedelta = timedelta(hours=1)
    delete_orphans: bool = False
    delete_ghost_images: bool = False
    delete_partial_images: bool = False

    def __post_init__(self) -> None:
        for field in ("keep_latest", "keep_latest_tagged", "keep_latest_untagged"):
            _check_count(field, getattr(self, field))
        _check_older_than(self.older_than)
        _check_choice("age_by", self.age_by, ("created", "updated"))
        if self.age_field is not None:
            _check_choice("age_field", self.age_field, ("created", "updated"))
            msgspec.structs.force_setattr(self, "age_by", self.age_field)
        if self.tagged is not None:
            _check_choice("tagged", self.tagged, ("any", "tagged", "untagged"))
        _check_choice("pattern_syntax", self.pattern_syntax, ("glob", "regex"))
        for flag in ("prerelease_only", *_IMAGE_FLAGS):
            if not isinstance(getattr(self, flag), bool):
                raise TypeError(f"{flag} must be a bool, got {getattr(self, flag)!r}")
        _check_grace(self.grace)
        for field in ("include_tags", "exclude_tags", "protect_names", "protect_tags"):
            patterns = _check_patterns(field, getattr(self, field), self.pattern_syntax)
            msgspec.structs.force_setattr(self, field, patterns)
        for field in ("protect_ids", "version_ids"):
            msgspec.structs.force_setattr(self, field, _check_ids(field, getattr(self, field)))
        _check_selects_something(self)
        if self.tagged is None:
            msgspec.structs.force_setattr(self, "tagged", "tagged" if self.include_tags else "any")


def _check_selects_something(policy: RetentionPolicy) -> None:
    counts = (policy.keep_latest, policy.keep_latest_tagged, policy.keep_latest_untagged)
    rules = (policy.tagged, policy.older_than, *counts)
    if all(r is None for r in rules) and not (
        policy.include_tags or policy.version_ids or policy.prerelease_only
    ):
        raise ValueError(
            f"the policy selects every version: give at least one of {_SELECTION_RULES}"
        )


def _check_grace(value: object) -> None:
    if not isinstance(value, timedelta):
        raise TypeError(f"grace must be a timedelta >= 0, got {value!r}")
    if value < timedelta(0):
        raise ValueError(f"grace must be a timedelta >= 0, got {value!r}")


def _check_count(field: str, value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{field} must be an int >= 0 or None, got {value!r}")
    if isinstance(value, int) and value < 0:
        raise ValueError(f"{field} must be an int >= 0 or None, got {value}")


def _check_older_than(value: object) -> None:
    if value is not None and not isinstance(value, timedelta):
        raise TypeError(f"older_than must be a positive timedelta or None, got {value!r}")
    if isinstance(value, timedelta) and value <= timedelta(0):
        raise ValueError(f"older_than must be a positive timedelta or None, got {value!r}")


def _check_choice(field: str, value: object, accepted: tuple[str, ...]) -> None:
    if value not in accepted:
        raise ValueError(f"{field} must be one of {', '.join(map(repr, accepted))}, got {value!r}")


def _check_patterns(field: str, value: object, syntax: str) -> tuple[str, ...]:
    """A tuple of non-empty patterns; regexes must compile; no ``!`` negation."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"{field} must be a sequence of {syntax} patterns, got {value!r}")
    patterns = tuple(value)
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise TypeError(f"{field} patterns must be str, got {pattern!r}")
        if not pattern.strip():
            raise ValueError(f"{field} patterns must be non-empty, got {pattern!r}")
        if field == "include_tags" and syntax == "glob" and pattern.startswith("!"):
            raise ValueError(
                f"include_tags pattern {pattern!r} is negated; '!' negation was removed: "
                f"put {pattern[1:]!r} in exclude_tags (CLI --exclude-tag) instead"
            )
        if syntax == "regex":
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"{field} pattern {pattern!r} is not a valid regex: {exc}"
                ) from None
    return patterns


def _check_ids(field: str, value: object) -> frozenset[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{field} must be a set of version ids (int), got {value!r}")
    ids = frozenset(value)
    for i in ids:
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(f"{field} must hold version ids (int), got {i!r}")
    return ids


class PlannedVersionDict(TypedDict):
    """The JSON shape of one planned version."""

    id: int
    name: str
    tags: list[str]
    age_seconds: int
    decision: str
    rule: str
    reason: str
    role: str | None
    goes_with: list[int]


class RetentionPlanDict(TypedDict):
    """The JSON shape of a plan."""

    items: list[PlannedVersionDict]
    warnings: list[str]


class PlannedVersion(msgspec.Struct, Generic[V], frozen=True, kw_only=True, gc=False):
    """One version with its decision, the rule that decided it, a sentence why, and its age.

    ``version`` is what was planned: a :class:`~aiogh_packages.PackageVersion`, or a
    :class:`~aiogh_packages.VersionSummary` for a plan made from summaries. Container plans
    made by image also give the version's ``role`` in its image graph and, for a child
    deleted with its image(s) (rule ``cascade``), those images' ids in ``goes_with``.
    """

    version: V
    decision: Decision
    rule: Rule
    reason: str
    age: timedelta
    role: str | None = None
    goes_with: tuple[int, ...] = ()

    def to_dict(self) -> PlannedVersionDict:
        """JSON-ready fields: id, name, tags, age_seconds (floored), decision, rule, reason,
        role, goes_with."""
        v = self.version
        return PlannedVersionDict(
            id=v.id, name=v.name, tags=list(v.tags), age_seconds=self.age // timedelta(seconds=1),
            decision=str(self.decision), rule=self.rule, reason=self.reason, role=self.role,
            goes_with=list(self.goes_with),
        )  # fmt: skip


class RetentionPlan(msgspec.Struct, Generic[V], frozen=True, kw_only=True):
    """Every input version exactly once (input order), plus warnings about the plan.

    ``policy`` is the policy that made the plan (apply re-checks versions against it).
    """

    items: tuple[PlannedVersion[V], ...]
    warnings: tuple[str, ...] = ()
    policy: RetentionPolicy | None = None

    @property
    def to_delete(self) -> tuple[PlannedVersion[V], ...]:
        """The items planned for deletion, in plan order."""
        return tuple(p for p in self.items if p.decision == Decision.DELETE)

    @property
    def to_keep(self) -> tuple[PlannedVersion[V], ...]:
        """The items kept, in plan order."""
        return tuple(p for p in self.items if p.decision == Decision.KEEP)

    def to_dict(self) -> RetentionPlanDict:
        """JSON-ready plan: ``{"items": [...], "warnings": [...]}``."""
        return RetentionPlanDict(
            items=[p.to_dict() for p in self.items], warnings=list(self.warnings)
        )


def _matches(value: str, pattern: str, syntax: PatternSyntax) -> bool:
    if syntax == "regex":
        return re.fullmatch(pattern, value) is not None
    return fnmatchcase(value, pattern)


def _first_match(
    values: Iterable[str], patterns: Iterable[str], syntax: PatternSyntax
) -> tuple[str, str] | None:
    """The first (value, pattern) pair where the value matches the pattern."""
    pairs = ((v, p) for v in values for p in patterns)
    return next(((v, p) for v, p in pairs if _matches(v, p, syntax)), None)


def _protection(v: VersionLike, policy: RetentionPolicy) -> _Verdict | None:
    syntax = policy.pattern_syntax
    if v.id in policy.protect_ids:
        return "protected-id", f"id {v.id} is in protect_ids"
    if hit := _first_match((v.name,), policy.protect_names, syntax):
        return "protected-name", f"name {hit[0]!r} matches protected pattern {hit[1]!r}"
    if hit := _first_match(v.tags, policy.protect_tags, syntax):
        return "protected-tag", f"tag {hit[0]!r} matches protected pattern {hit[1]!r}"
    return None


def is_release_name(name: str) -> bool:
    """True for a plain release name (``1.2.3``, ``v2``); ``1.2.3-rc.1``, ``1.0.dev1`` are not."""
    return _RELEASE.fullmatch(name) is not None


def _selection(v: VersionLike, policy: RetentionPolicy) -> _Verdict | None:
    tags, syntax = v.tags, policy.pattern_syntax
    if policy.version_ids and v.id not in policy.version_ids:
        return "not-selected:version-id", f"id {v.id} is not one of the version ids given"
    if policy.tagged not in (None, "any") and bool(tags) != (policy.tagged == "tagged"):
        state = f"tagged {', '.join(map(repr, tags))}" if tags else "untagged"
        why = f"{state}, but the policy selects {policy.tagged} versions only"
        return "not-selected:tagged-filter", why
    if hit := _first_match(tags, policy.exclude_tags, syntax):
        return "not-selected:exclude-tags", f"tag {hit[0]!r} matches excluded pattern {hit[1]!r}"
    if policy.include_tags:
        stray = [t for t in tags if _first_match((t,), policy.include_tags, syntax) is None]
        if stray:
            wanted = ", ".join(map(repr, policy.include_tags))
            why = f"tag {stray[0]!r} matches no include pattern ({wanted}); every tag must"
            return "not-selected:include-tags", why
    if policy.prerelease_only and is_release_name(v.name):
        return "not-selected:prerelease", f"{v.name!r} is a release, prerelease_only is set"
    return None


def recheck(version: VersionLike, policy: RetentionPolicy) -> _Verdict | None:
    """Why the policy would now keep a freshly fetched ``version`` (tags, name), or None.

    Used right before a DELETE: only protection and selection are re-applied, as the keep
    counts and ages were settled when the plan was made.
    """
    return _protection(version, policy) or _selection(version, policy)


def is_github_refusal(status: int, message: str) -> bool:
    """True when GitHub's answer keeps a version by rule (last version, many downloads)."""
    return status in (400, 403, 422) and _REFUSAL.search(message) is not None


def _is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


def _stamp(v: VersionLike, policy: RetentionPolicy) -> datetime:
    return v.created_at if policy.age_by == "created" else v.updated_at


def _age(v: VersionLike, policy: RetentionPolicy, now: datetime) -> timedelta:
    """How old ``v`` is by the policy's ``age_by``; both timestamps must be aware."""
    for field, stamp in (("created_at", v.created_at), ("updated_at", v.updated_at)):
        if not _is_aware(stamp):
            raise ValueError(f"version {v.id} has a naive {field} ({stamp!r}); expected aware")
    return now - _stamp(v, policy)


def _fmt(d: timedelta) -> str:
    """A compact duration: '45d3h', '90m', '0m'."""
    minutes = d // timedelta(minutes=1)
    sign, minutes = ("-", -minutes) if minutes < 0 else ("", minutes)
    parts = zip((minutes // 1440, minutes // 60 % 24, minutes % 60), "dhm", strict=True)
    return sign + ("".join(f"{n}{u}" for n, u in parts if n) or "0m")


_Ranks = dict[str, dict[int, int]]


def _ranks(selected: list[VersionLike], policy: RetentionPolicy) -> _Ranks:
    """Newest-first rank (1 = newest) of the selected versions a keep count can keep.

    Overall, tagged and untagged; only ranks up to each count are kept (the rest cannot be
    kept by it), so a 100,000-version plan holds a few small maps, not three big ones.
    """
    order = sorted(selected, key=lambda v: (_stamp(v, policy), v.id), reverse=True)
    groups = (
        ("", policy.keep_latest, order),
        ("-tagged", policy.keep_latest_tagged, (v for v in order if v.tags)),
        ("-untagged", policy.keep_latest_untagged, (v for v in order if not v.tags)),
    )
    return {
        name: {v.id: rank for rank, v in zip(range(1, (n or 0) + 1), group, strict=False)}
        for name, n, group in groups
    }


def _kept_by_count(v: VersionLike, ranks: _Ranks, policy: RetentionPolicy) -> _Verdict | None:
    counts = (
        ("", policy.keep_latest),
        ("-tagged", policy.keep_latest_tagged),
        ("-untagged", policy.keep_latest_untagged),
    )
    for suffix, n in counts:
        rank = ranks[suffix].get(v.id)
        if n and rank is not None and rank <= n:
            rule: Rule = f"keep-latest{suffix}"  # type: ignore[assignment]  # one of three
            group = suffix.lstrip("-") + " " if suffix else ""
            return rule, f"newest selected {group}version #{rank} of the {n} kept by {rule}"
    return None


def _late_verdict(
    v: VersionLike, ranks: _Ranks, age: timedelta, policy: RetentionPolicy
) -> _Verdict:
    """Rules 3, 4 and 6 for a selected version."""
    if kept := _kept_by_count(v, ranks, policy):
        return kept
    limit, by = policy.older_than, f"by {policy.age_by}_at"
    if limit is not None and age <= limit:
        return "too-recent", f"{_fmt(age)} old {by}, not older than older_than={_fmt(limit)}"
    older = f", older than {_fmt(limit)}" if limit is not None else ""
    n = policy.keep_latest
    latest = f", not among the {n} newest selected versions" if n else ""
    return "delete", f"selected and {_fmt(age)} old {by}{older}{latest}"


def plan_retention(
    versions: Iterable[V],
    policy: RetentionPolicy,
    *,
    now: datetime,
    package_type: str | None = None,
) -> RetentionPlan[V]:
    """Decide, for one package's versions, which to keep and which to delete, and why.

    Args:
        versions: every active version of the package, in any order; a repeated id is
            planned once. The last-version rule assumes the list is complete. Items are
            ``PackageVersion`` or, for very large packages, the smaller ``VersionSummary``;
            the plan holds what it was given.
        policy: the rules; the module docstring gives their order of precedence.
        now: the aware datetime that ages are measured from.
        package_type: with ``"container"``, untagged versions are never deleted (rule
            ``needs-registry``; the plan warns): any of them may be a child of a tagged
            multi-arch image. :func:`~._sansio.image_plan.plan_images` plans them by image.

    Raises:
        ValueError: ``now`` or a version's timestamp is naive, or ``prerelease_only`` is set
            for a container (or docker) package, whose versions have no release names.
    """
    if not isinstance(now, datetime) or not _is_aware(now):
        raise ValueError(f"now must be a timezone-aware datetime, got {now!r}")
    if policy.prerelease_only and package_type in _NO_VERSION_NAMES:
        raise ValueError(
            f"prerelease_only is refused for {package_type} packages: their version names are "
            "digests; it applies to npm, maven, nuget and rubygems"
        )
    unique, repeated = _unique(versions)
    ages = [_age(v, policy, now) for v in unique]
    early = [_protection(v, policy) or _selection(v, policy) for v in unique]
    ranks = _ranks([v for v, e in zip(unique, early, strict=True) if e is None], policy)
    late = zip(unique, ages, early, strict=True)
    verdicts = [e or _late_verdict(v, ranks, a, policy) for v, a, e in late]
    del early
    if unique and all(rule == "delete" for rule, _ in verdicts):
        newest = max(range(len(unique)), key=lambda n: (_stamp(unique[n], policy), unique[n].id))
        verdicts[newest] = ("github-last-version", _LAST_VERSION)
    warnings = _warnings(policy, repeated)
    if package_type == "container" and _hold_untagged(unique, verdicts):
        warnings.append(_NEEDS_REGISTRY_WARNING)
    items = tuple(map(_planned, unique, ages, verdicts))
    return RetentionPlan(items=items, warnings=tuple(warnings), policy=policy)


def _unique(versions: Iterable[V]) -> tuple[list[V], int]:
    """The versions with each id once (its first), and how many repeats were dropped."""
    seen: set[int] = set()
    unique, repeated = [], 0
    for v in versions:
        if v.id in seen:
            repeated += 1
        else:
            seen.add(v.id)
            unique.append(v)
    return unique, repeated


def _hold_untagged(unique: list[V], verdicts: list[_Verdict]) -> bool:
    """Keep (rule ``needs-registry``) every untagged version planned for deletion."""
    held = False
    for n, v in enumerate(unique):
        if not v.tags and verdicts[n][0] == "delete":
            verdicts[n], held = ("needs-registry", _NEEDS_REGISTRY), True
    return held


def deletion_order(plan: RetentionPlan[V]) -> tuple[PlannedVersion[V], ...]:
    """The planned deletions, oldest first (by the policy's age; ties by lower id).

    A ``cascade`` child comes right after the last image it goes with, so an image is never
    left without a child it still has. ``--limit N`` applies the first N of these, so each
    run clears the oldest backlog.
    """
    deletions = plan.to_delete
    leaders = [p for p in deletions if not p.goes_with]
    order = sorted(leaders, key=lambda p: (-p.age, p.version.id))
    place = {p.version.id: n for n, p in enumerate(order)}
    children = [p for p in deletions if p.goes_with]

    def after(p: PlannedVersion[V]) -> tuple[int, int]:
        return max(place.get(i, len(order)) for i in p.goes_with), p.version.id

    result: list[PlannedVersion[V]] = []
    queue = sorted(children, key=after)
    for n, leader in enumerate(order):
        result.append(leader)
        while queue and after(queue[0])[0] <= n:
            result.append(queue.pop(0))
    return (*result, *queue)


def _planned(v: V, age: timedelta, verdict: _Verdict) -> PlannedVersion[V]:
    rule, reason = verdict
    decision = Decision.DELETE if rule == "delete" else Decision.KEEP
    return PlannedVersion(version=v, decision=decision, rule=rule, reason=reason, age=age)


def _warnings(policy: RetentionPolicy, dropped: int) -> list[str]:
    warnings = []
    if policy.tagged == "untagged" and (policy.include_tags or policy.exclude_tags):
        warnings.append("include_tags and exclude_tags have no effect with tagged='untagged'")
    if dropped:
        warnings.append(f"{dropped} repeated version id(s) in the input were planned once")
    return warnings
