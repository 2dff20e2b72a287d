"""The retention planner: one package's versions + a policy + "now" -> which to keep or delete.

Does no I/O and never reads the clock: the caller lists the versions, passes ``now`` (an
aware datetime) and deletes what the plan says. Every version gets exactly one decision and
the rule that made it, checked in this order (the first rule that applies decides)::

    version
      |- 1. protected?   id in protect_ids               -> keep  "protected-id"
      |                  name matches protect_names      -> keep  "protected-name"
      |                  a tag matches protect_tags      -> keep  "protected-tag"
      |- 2. selected?    tagged/untagged state differs   -> keep  "not-selected:tagged-filter"
      |                  a tag matches exclude_tags      -> keep  "not-selected:exclude-tags"
      |                  tagged, but no tag matches      -> keep  "not-selected:include-tags"
      |                  include_tags
      |     ... the versions left are *eligible* ...
      |- 3. one of the keep_latest newest eligible       -> keep  "keep-latest"
      |- 4. age <= older_than                            -> keep  "too-recent"
      '- 5. otherwise                                    -> delete "delete"

Protected and unselected versions do not count toward ``keep_latest``: it keeps the N newest
*eligible* versions (by ``created_at``, ties by higher id), so a plan never keeps fewer than
``min(N, eligible)`` of them. Patterns are case-sensitive ``fnmatch`` globs; only
``include_tags`` accepts ``"!pat"`` negation (a tag matching a negated pattern does not count,
and with negated patterns alone every other tag counts). ``plan.items`` keeps the input order;
a version id listed twice (pages shift while versions are pushed) is planned once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Literal, TypedDict

import msgspec

from ..models import PackageVersion

__all__ = [
    "AgeField", "Decision", "PlannedVersion", "PlannedVersionDict", "RetentionPlan",
    "RetentionPlanDict", "RetentionPolicy", "Rule", "TaggedFilter", "parse_duration",
    "plan_retention",
]  # fmt: skip

AgeField = Literal["created", "updated"]
TaggedFilter = Literal["any", "tagged", "untagged"]
Rule = Literal[
    "protected-id", "protected-name", "protected-tag", "not-selected:tagged-filter",
    "not-selected:exclude-tags", "not-selected:include-tags", "keep-latest", "too-recent", "delete",
]  # fmt: skip
_Verdict = tuple[Rule, str]

_MULTI_ARCH_WARNING = (
    "the plan deletes untagged container versions; an untagged version may be a platform image "
    "that a tagged multi-arch manifest list references, and deleting it can break that image. "
    "The SDK cannot consult the registry to check: review them, or keep to tagged versions"
)
_MULTI_ARCH_SUFFIX = " (untagged: it may belong to a multi-arch image)"
_DURATION = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", re.ASCII)
_DURATION_FORMS = "one or more <int><unit> in the order w, d, h, m, s, e.g. '30d', '2w', '1d12h'"


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
        keep_latest: always keep this many of the newest eligible versions (None: no floor).
        older_than: delete only versions older than this (None: any age).
        age_field: measure age from ``created_at`` or ``updated_at``.
        tagged: which tag state is eligible: ``any``, ``tagged`` or ``untagged``.
        include_tags: if set, a tagged version is eligible only when one tag matches.
        exclude_tags: a version with a tag matching one of these is not eligible.
        protect_ids, protect_names, protect_tags: never delete these (names/tags are globs).

    Raises:
        ValueError, TypeError: a field is out of range or of the wrong type; the message
            names the field, the value and what is accepted.
    """

    keep_latest: int | None = None
    older_than: timedelta | None = None
    age_field: AgeField = "created"
    tagged: TaggedFilter = "any"
    include_tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    protect_ids: frozenset[int] = frozenset()
    protect_names: tuple[str, ...] = ()
    protect_tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_keep_latest(self.keep_latest)
        _check_older_than(self.older_than)
        _check_choice("age_field", self.age_field, ("created", "updated"))
        _check_choice("tagged", self.tagged, ("any", "tagged", "untagged"))
        for field in ("include_tags", "exclude_tags", "protect_names", "protect_tags"):
            patterns = _check_patterns(field, getattr(self, field))
            msgspec.structs.force_setattr(self, field, patterns)
        msgspec.structs.force_setattr(self, "protect_ids", _check_ids(self.protect_ids))


def _check_keep_latest(value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"keep_latest must be an int >= 0 or None, got {value!r}")
    if isinstance(value, int) and value < 0:
        raise ValueError(f"keep_latest must be an int >= 0 or None, got {value}")


def _check_older_than(value: object) -> None:
    if value is not None and not isinstance(value, timedelta):
        raise TypeError(f"older_than must be a positive timedelta or None, got {value!r}")
    if isinstance(value, timedelta) and value <= timedelta(0):
        raise ValueError(f"older_than must be a positive timedelta or None, got {value!r}")


def _check_choice(field: str, value: object, accepted: tuple[str, ...]) -> None:
    if value not in accepted:
        raise ValueError(f"{field} must be one of {', '.join(map(repr, accepted))}, got {value!r}")


def _check_patterns(field: str, value: object) -> tuple[str, ...]:
    """A tuple of non-empty glob strings; ``!`` negation only in include_tags."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"{field} must be a sequence of glob patterns, got {value!r}")
    patterns = tuple(value)
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise TypeError(f"{field} patterns must be str, got {pattern!r}")
        if not pattern.removeprefix("!" if field == "include_tags" else "").strip():
            raise ValueError(f"{field} patterns must be non-empty globs, got {pattern!r}")
        if pattern.startswith("!") and field != "include_tags":
            raise ValueError(
                f"{field} pattern {pattern!r} is negated; '!' is accepted in include_tags only"
            )
    return patterns


def _check_ids(value: object) -> frozenset[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"protect_ids must be a set of version ids (int), got {value!r}")
    ids = frozenset(value)
    for i in ids:
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(f"protect_ids must hold version ids (int), got {i!r}")
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


class RetentionPlanDict(TypedDict):
    """The JSON shape of a plan."""

    items: list[PlannedVersionDict]
    warnings: list[str]


class PlannedVersion(msgspec.Struct, frozen=True, kw_only=True):
    """One version with its decision, the rule that decided it, a sentence why, and its age."""

    version: PackageVersion
    decision: Decision
    rule: Rule
    reason: str
    age: timedelta

    def to_dict(self) -> PlannedVersionDict:
        """JSON-ready fields: id, name, tags, age_seconds (floored), decision, rule, reason."""
        v = self.version
        return PlannedVersionDict(
            id=v.id, name=v.name, tags=list(v.tags), age_seconds=self.age // timedelta(seconds=1),
            decision=str(self.decision), rule=self.rule, reason=self.reason,
        )  # fmt: skip


class RetentionPlan(msgspec.Struct, frozen=True, kw_only=True):
    """Every input version exactly once (input order), plus warnings about the plan."""

    items: tuple[PlannedVersion, ...]
    warnings: tuple[str, ...] = ()

    @property
    def to_delete(self) -> tuple[PlannedVersion, ...]:
        """The items planned for deletion, in plan order."""
        return tuple(p for p in self.items if p.decision == Decision.DELETE)

    @property
    def to_keep(self) -> tuple[PlannedVersion, ...]:
        """The items kept, in plan order."""
        return tuple(p for p in self.items if p.decision == Decision.KEEP)

    def to_dict(self) -> RetentionPlanDict:
        """JSON-ready plan: ``{"items": [...], "warnings": [...]}``."""
        return RetentionPlanDict(
            items=[p.to_dict() for p in self.items], warnings=list(self.warnings)
        )


def _first_match(values: Iterable[str], patterns: Iterable[str]) -> tuple[str, str] | None:
    """The first (value, pattern) pair where the value matches the glob."""
    return next(((v, p) for v in values for p in patterns if fnmatchcase(v, p)), None)


def _protection(v: PackageVersion, policy: RetentionPolicy) -> _Verdict | None:
    if v.id in policy.protect_ids:
        return "protected-id", f"id {v.id} is in protect_ids"
    if hit := _first_match((v.name,), policy.protect_names):
        return "protected-name", f"name {hit[0]!r} matches protected pattern {hit[1]!r}"
    if hit := _first_match(v.tags, policy.protect_tags):
        return "protected-tag", f"tag {hit[0]!r} matches protected pattern {hit[1]!r}"
    return None


def _include_matches(tag: str, patterns: tuple[str, ...]) -> bool:
    negated = [p[1:] for p in patterns if p.startswith("!")]
    positive = [p for p in patterns if not p.startswith("!")] or ["*"]
    return _first_match((tag,), positive) is not None and _first_match((tag,), negated) is None


def _selection(v: PackageVersion, policy: RetentionPolicy) -> _Verdict | None:
    tags = v.tags
    if policy.tagged != "any" and bool(tags) != (policy.tagged == "tagged"):
        state = f"tagged {', '.join(map(repr, tags))}" if tags else "untagged"
        why = f"{state}, but the policy selects {policy.tagged} versions only"
        return "not-selected:tagged-filter", why
    if hit := _first_match(tags, policy.exclude_tags):
        return "not-selected:exclude-tags", f"tag {hit[0]!r} matches excluded pattern {hit[1]!r}"
    if (
        tags
        and policy.include_tags
        and not any(_include_matches(t, policy.include_tags) for t in tags)
    ):
        wanted = ", ".join(map(repr, policy.include_tags))
        return "not-selected:include-tags", f"no tag matches include_tags ({wanted})"
    return None


def _is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


def _age(v: PackageVersion, policy: RetentionPolicy, now: datetime) -> timedelta:
    """How old ``v`` is by the policy's age field; both timestamps must be aware."""
    for field, stamp in (("created_at", v.created_at), ("updated_at", v.updated_at)):
        if not _is_aware(stamp):
            raise ValueError(f"version {v.id} has a naive {field} ({stamp!r}); expected aware")
    return now - (v.created_at if policy.age_field == "created" else v.updated_at)


def _fmt(d: timedelta) -> str:
    """A compact duration: '45d3h', '90m', '0m'."""
    minutes = d // timedelta(minutes=1)
    sign, minutes = ("-", -minutes) if minutes < 0 else ("", minutes)
    parts = zip((minutes // 1440, minutes // 60 % 24, minutes % 60), "dhm", strict=True)
    return sign + ("".join(f"{n}{u}" for n, u in parts if n) or "0m")


def _late_verdict(rank: int | None, age: timedelta, policy: RetentionPolicy) -> _Verdict:
    """Rules 3-5 for an eligible version; ``rank`` is 1 for the newest."""
    n, limit, by = policy.keep_latest, policy.older_than, f"by {policy.age_field}_at"
    if n and rank is not None and rank <= n:
        return "keep-latest", f"newest eligible version #{rank} of the {n} kept by keep_latest"
    if limit is not None and age <= limit:
        return "too-recent", f"{_fmt(age)} old {by}, not older than older_than={_fmt(limit)}"
    older = f", older than {_fmt(limit)}" if limit is not None else ""
    latest = f", not among the {n} newest eligible versions" if n else ""
    return "delete", f"eligible and {_fmt(age)} old {by}{older}{latest}"


def plan_retention(
    versions: Iterable[PackageVersion],
    policy: RetentionPolicy,
    *,
    now: datetime,
    package_type: str | None = None,
) -> RetentionPlan:
    """Decide, for one package's versions, which to keep and which to delete, and why.

    Args:
        versions: the package's versions, in any order; a repeated id is planned once.
        policy: the rules; the module docstring gives their order of precedence.
        now: the aware datetime that ages are measured from.
        package_type: with ``"container"``, deleting untagged versions adds a multi-arch
            warning to the plan and a note to those items' reasons.

    Raises:
        ValueError: ``now`` or a version's timestamp is naive.
    """
    if not isinstance(now, datetime) or not _is_aware(now):
        raise ValueError(f"now must be a timezone-aware datetime, got {now!r}")
    listed = list(versions)
    first = {v.id: i for i, v in reversed(list(enumerate(listed)))}
    unique = [v for i, v in enumerate(listed) if first[v.id] == i]
    ages = {v.id: _age(v, policy, now) for v in unique}
    early = {v.id: _protection(v, policy) or _selection(v, policy) for v in unique}
    eligible = sorted(
        (v for v in unique if early[v.id] is None), key=lambda v: (v.created_at, v.id)
    )
    ranks = {v.id: rank for rank, v in enumerate(reversed(eligible), 1)}
    container = package_type == "container"
    verdicts = {
        v.id: early[v.id] or _late_verdict(ranks.get(v.id), ages[v.id], policy) for v in unique
    }
    items = tuple(_planned(v, ages[v.id], verdicts[v.id], container) for v in unique)
    warnings = _warnings(policy, len(listed) - len(unique))
    if container and any(p.decision == Decision.DELETE and not p.version.tags for p in items):
        warnings.append(_MULTI_ARCH_WARNING)
    return RetentionPlan(items=items, warnings=tuple(warnings))


def _planned(
    v: PackageVersion, age: timedelta, verdict: _Verdict, container: bool
) -> PlannedVersion:
    rule, reason = verdict
    if rule == "delete" and container and not v.tags:
        reason += _MULTI_ARCH_SUFFIX
    decision = Decision.DELETE if rule == "delete" else Decision.KEEP
    return PlannedVersion(version=v, decision=decision, rule=rule, reason=reason, age=age)


def _warnings(policy: RetentionPolicy, dropped: int) -> list[str]:
    warnings = []
    limits = (policy.keep_latest, policy.older_than, policy.include_tags, policy.exclude_tags)
    if policy.tagged == "any" and not any(limits):
        warnings.append(
            "the policy sets no keep_latest, older_than, tagged, include_tags or exclude_tags: "
            "every unprotected version is planned for deletion"
        )
    if policy.tagged == "untagged" and (policy.include_tags or policy.exclude_tags):
        warnings.append("include_tags and exclude_tags have no effect with tagged='untagged'")
    if dropped:
        warnings.append(f"{dropped} repeated version id(s) in the input were planned once")
    return warnings
