"""The pure retention planner: rules, their precedence, validation, warnings and invariants."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from fnmatch import fnmatchcase
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiogh_packages._sansio.retention_plan import (
    Decision,
    PlannedVersion,
    RetentionPlan,
    RetentionPolicy,
    parse_duration,
    plan_retention,
)
from aiogh_packages.models import PackageVersion

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def ver(
    id: int,
    *tags: str,
    days: float = 100,
    updated_days: float | None = None,
    name: str | None = None,
) -> PackageVersion:
    """A container version created ``days`` before NOW, built the way the wire decoder does."""
    updated = days if updated_days is None else updated_days
    return msgspec.convert(
        {
            "id": id,
            "name": name or f"sha256:{id:064x}",
            "url": f"https://api.github.com/orgs/o/packages/container/web/versions/{id}",
            "package_html_url": "https://github.com/orgs/o/packages/container/package/web",
            "created_at": (NOW - timedelta(days=days)).isoformat(),
            "updated_at": (NOW - timedelta(days=updated)).isoformat(),
            "metadata": {"package_type": "container", "container": {"tags": list(tags)}},
        },
        PackageVersion,
    )


def plan(versions: Sequence[PackageVersion], package_type: str = "npm", **kw: Any) -> RetentionPlan:
    """Plan ``versions`` at NOW under a policy built from ``kw``."""
    return plan_retention(versions, RetentionPolicy(**kw), now=NOW, package_type=package_type)


def rules(p: RetentionPlan) -> dict[int, str]:
    """Version id -> deciding rule."""
    return {item.version.id: item.rule for item in p.items}


def item(p: RetentionPlan, id: int) -> PlannedVersion:
    """The planned item of version ``id``."""
    return next(i for i in p.items if i.version.id == id)


# -- each rule and their interplay --------------------------------------------------------

RULE_CASES: list[tuple[str, dict[str, Any], list[PackageVersion], dict[int, str]]] = [
    ("no limits deletes everything", {}, [ver(1), ver(2, "a")], {1: "delete", 2: "delete"}),
    (
        "protect_ids keeps the id",
        {"protect_ids": frozenset({1})},
        [ver(1), ver(2)],
        {1: "protected-id", 2: "delete"},
    ),
    (
        "protect_names is a glob on the name",
        {"protect_names": ("keep-*",)},
        [ver(1, name="keep-me"), ver(2, name="Keep-me")],
        {1: "protected-name", 2: "delete"},
    ),
    (
        "protect_tags matches any tag",
        {"protect_tags": ("latest", "v*.*.*")},
        [ver(1, "x", "latest"), ver(2, "v1.2.3"), ver(3, "v1.2")],
        {1: "protected-tag", 2: "protected-tag", 3: "delete"},
    ),
    (
        "protect_ids beats name and tag protection",
        {"protect_ids": frozenset({1}), "protect_names": ("*",), "protect_tags": ("*",)},
        [ver(1, "a")],
        {1: "protected-id"},
    ),
    (
        "protect_names beats tag protection",
        {"protect_names": ("*",), "protect_tags": ("*",)},
        [ver(1, "a")],
        {1: "protected-name"},
    ),
    (
        "protection beats every selection filter",
        {"tagged": "untagged", "exclude_tags": ("v*",), "protect_tags": ("v1",)},
        [ver(1, "v1")],
        {1: "protected-tag"},
    ),
    (
        "protection beats keep_latest and age",
        {"keep_latest": 1, "older_than": DAY, "protect_ids": frozenset({1})},
        [ver(1, days=0), ver(2, days=5), ver(3, days=6)],
        {1: "protected-id", 2: "keep-latest", 3: "delete"},
    ),
    (
        "tagged='tagged' leaves untagged",
        {"tagged": "tagged"},
        [ver(1), ver(2, "a")],
        {1: "not-selected:tagged-filter", 2: "delete"},
    ),
    (
        "tagged='untagged' leaves tagged",
        {"tagged": "untagged"},
        [ver(1), ver(2, "a")],
        {1: "delete", 2: "not-selected:tagged-filter"},
    ),
    (
        "exclude_tags leaves a version with any matching tag",
        {"exclude_tags": ("v*",)},
        [ver(1, "pr-1", "v2"), ver(2, "pr-2"), ver(3)],
        {1: "not-selected:exclude-tags", 2: "delete", 3: "delete"},
    ),
    (
        "include_tags selects tagged versions with a matching tag",
        {"include_tags": ("pr-*", "sha-*")},
        [ver(1, "pr-1"), ver(2, "x", "sha-9"), ver(3, "main")],
        {1: "delete", 2: "delete", 3: "not-selected:include-tags"},
    ),
    (
        "include_tags does not filter untagged versions",
        {"include_tags": ("pr-*",)},
        [ver(1)],
        {1: "delete"},
    ),
    (
        "include_tags globs are case-sensitive",
        {"include_tags": ("pr-*",)},
        [ver(1, "PR-1")],
        {1: "not-selected:include-tags"},
    ),
    (
        "a tag matching a negated include pattern does not count",
        {"include_tags": ("pr-*", "!pr-keep*")},
        [ver(1, "pr-keep-1"), ver(2, "pr-2"), ver(3, "pr-keep-2", "pr-3")],
        {1: "not-selected:include-tags", 2: "delete", 3: "delete"},
    ),
    (
        "negated include patterns alone select every other tag",
        {"include_tags": ("!release*",)},
        [ver(1, "release-1"), ver(2, "dev")],
        {1: "not-selected:include-tags", 2: "delete"},
    ),
    (
        "exclude_tags is reported before include_tags",
        {"include_tags": ("pr-*",), "exclude_tags": ("main",)},
        [ver(1, "main")],
        {1: "not-selected:exclude-tags"},
    ),
    (
        "tagged filter is reported before exclude_tags",
        {"tagged": "untagged", "exclude_tags": ("a",)},
        [ver(1, "a")],
        {1: "not-selected:tagged-filter"},
    ),
    (
        "keep_latest keeps the N newest",
        {"keep_latest": 2},
        [ver(1, days=30), ver(2, days=10), ver(3, days=20), ver(4, days=40)],
        {1: "delete", 2: "keep-latest", 3: "keep-latest", 4: "delete"},
    ),
    (
        "keep_latest breaks created_at ties by higher id",
        {"keep_latest": 1},
        [ver(7, days=5), ver(9, days=5), ver(8, days=5)],
        {7: "delete", 8: "delete", 9: "keep-latest"},
    ),
    (
        "keep_latest ranks by created_at even when age is by updated_at",
        {"keep_latest": 1, "age_field": "updated"},
        [ver(1, days=50, updated_days=100), ver(2, days=60, updated_days=1)],
        {1: "keep-latest", 2: "delete"},
    ),
    (
        "keep_latest=0 keeps nothing by rank",
        {"keep_latest": 0, "tagged": "untagged"},
        [ver(1, days=1)],
        {1: "delete"},
    ),
    (
        "keep_latest larger than the eligible set keeps them all",
        {"keep_latest": 9},
        [ver(1), ver(2)],
        {1: "keep-latest", 2: "keep-latest"},
    ),
    (
        "protected versions do not count toward keep_latest",
        {"keep_latest": 1, "protect_tags": ("latest",)},
        [ver(1, "latest", days=1), ver(2, days=2), ver(3, days=3)],
        {1: "protected-tag", 2: "keep-latest", 3: "delete"},
    ),
    (
        "unselected versions do not count toward keep_latest",
        {"keep_latest": 1, "tagged": "untagged"},
        [ver(1, "v1", days=1), ver(2, days=2), ver(3, days=3)],
        {1: "not-selected:tagged-filter", 2: "keep-latest", 3: "delete"},
    ),
    (
        "older_than keeps versions not older than it",
        {"older_than": 30 * DAY},
        [ver(1, days=29), ver(2, days=30), ver(3, days=31)],
        {1: "too-recent", 2: "too-recent", 3: "delete"},
    ),
    (
        "age_field='created' ignores a recent update",
        {"older_than": 30 * DAY},
        [ver(1, days=90, updated_days=1)],
        {1: "delete"},
    ),
    (
        "age_field='updated' measures from updated_at",
        {"older_than": 30 * DAY, "age_field": "updated"},
        [ver(1, days=90, updated_days=1), ver(2, days=90, updated_days=60)],
        {1: "too-recent", 2: "delete"},
    ),
    (
        "keep_latest is checked before older_than",
        {"keep_latest": 1, "older_than": 30 * DAY},
        [ver(1, days=90), ver(2, days=95), ver(3, days=100)],
        {1: "keep-latest", 2: "delete", 3: "delete"},
    ),
    (
        "older_than also keeps recent versions beyond keep_latest",
        {"keep_latest": 1, "older_than": 30 * DAY},
        [ver(1, days=1), ver(2, days=2), ver(3, days=40)],
        {1: "keep-latest", 2: "too-recent", 3: "delete"},
    ),
]


@pytest.mark.parametrize(
    ("policy", "versions", "expected"),
    [case[1:] for case in RULE_CASES],
    ids=[case[0] for case in RULE_CASES],
)
def test_each_version_gets_the_rule_that_applies_first(
    policy: dict[str, Any], versions: list[PackageVersion], expected: dict[int, str]
) -> None:
    """Each case's versions are decided by the expected rule, and delete only by 'delete'."""
    p = plan(versions, **policy)
    assert rules(p) == expected
    assert all((i.decision == "delete") == (i.rule == "delete") for i in p.items)


# -- plan shape -----------------------------------------------------------------------------


def test_items_keep_the_input_order() -> None:
    """plan.items lists the versions in the order they were given, not by age."""
    versions = [ver(3, days=3), ver(1, days=1), ver(2, days=2)]
    assert [i.version for i in plan(versions).items] == versions


def test_to_delete_and_to_keep_split_the_items_in_order() -> None:
    """to_delete and to_keep hold the delete and keep items, each in plan order."""
    p = plan(
        [ver(1, days=1), ver(2, days=50), ver(3, days=2), ver(4, days=60)], older_than=10 * DAY
    )
    assert [i.version.id for i in p.to_delete] == [2, 4]
    assert [i.version.id for i in p.to_keep] == [1, 3]


def test_decision_is_a_str_enum_that_prints_its_value() -> None:
    """Decision members equal and print as their plain strings, for tables and JSON."""
    plain: str = "delete"
    assert plain == Decision.DELETE and Decision(plain) is Decision.DELETE
    assert f"{Decision.KEEP}" == "keep" and str(Decision.DELETE) == "delete"


def test_age_follows_the_age_field() -> None:
    """PlannedVersion.age is now minus created_at or updated_at, as the policy says."""
    v = ver(1, days=10, updated_days=2)
    assert plan([v]).items[0].age == 10 * DAY
    assert plan([v], age_field="updated").items[0].age == 2 * DAY


def test_repeated_ids_are_planned_once_at_their_first_position_with_a_warning() -> None:
    """A version id listed twice (shifting pages) yields one item and says so."""
    first, other, again = ver(1, days=5), ver(2), ver(1, days=6)
    p = plan([first, other, again], older_than=DAY)
    assert [i.version for i in p.items] == [first, other]
    assert any("1 repeated version id" in w for w in p.warnings)


def test_to_dict_is_json_ready_with_the_documented_keys() -> None:
    """to_dict gives id, name, tags, age_seconds, decision, rule, reason per item, and warnings."""
    p = plan([ver(5, "pr-1", days=1.5)], package_type="container")
    data = json.loads(json.dumps(p.to_dict()))
    assert data["warnings"] == list(p.warnings)
    assert data["items"] == [
        {"id": 5, "name": f"sha256:{5:064x}", "tags": ["pr-1"], "age_seconds": 129600,
         "decision": "delete", "rule": "delete", "reason": p.items[0].reason}
    ]  # fmt: skip


def test_plan_encodes_with_msgspec() -> None:
    """A plan (e.g. inside a report) encodes with msgspec; the decision is its plain string."""
    decoded = msgspec.json.decode(msgspec.json.encode(plan([ver(1)])))
    assert decoded["items"][0]["decision"] == "delete" and decoded["items"][0]["rule"] == "delete"


# -- reasons -----------------------------------------------------------------------------


REASON_CASES: list[tuple[dict[str, Any], PackageVersion, str]] = [
    ({"protect_ids": frozenset({4})}, ver(4), "id 4 is in protect_ids"),
    (
        {"protect_names": ("sha256:0*",)},
        ver(4),
        f"name 'sha256:{4:064x}' matches protected pattern 'sha256:0*'",
    ),
    (
        {"protect_tags": ("latest",)},
        ver(4, "latest"),
        "tag 'latest' matches protected pattern 'latest'",
    ),
    ({"tagged": "tagged"}, ver(4), "untagged, but the policy selects tagged versions only"),
    (
        {"tagged": "untagged"},
        ver(4, "a", "b"),
        "tagged 'a', 'b', but the policy selects untagged versions only",
    ),
    ({"exclude_tags": ("v*",)}, ver(4, "v1"), "tag 'v1' matches excluded pattern 'v*'"),
    (
        {"include_tags": ("pr-*", "!pr-1")},
        ver(4, "pr-1"),
        "no tag matches include_tags ('pr-*', '!pr-1')",
    ),
    ({"keep_latest": 3}, ver(4), "newest eligible version #1 of the 3 kept by keep_latest"),
    (
        {"older_than": 30 * DAY},
        ver(4, days=1.5),
        "1d12h old by created_at, not older than older_than=30d",
    ),
    (
        {"older_than": DAY, "age_field": "updated"},
        ver(4, days=9, updated_days=1 / 24),
        "1h old by updated_at, not older than older_than=1d",
    ),
    ({"older_than": DAY}, ver(4, days=0), "0m old by created_at"),
    ({"older_than": DAY}, ver(4, days=-2), "-2d old by created_at"),
    (
        {"older_than": 30 * DAY},
        ver(4, days=45),
        "eligible and 45d old by created_at, older than 30d",
    ),
    ({"keep_latest": 0}, ver(4, days=45), "eligible and 45d old by created_at"),
]


@pytest.mark.parametrize(("policy", "version", "expected"), REASON_CASES)
def test_reason_names_the_pattern_or_number_that_decided(
    policy: dict[str, Any], version: PackageVersion, expected: str
) -> None:
    """The reason sentence names the matching value, pattern or number."""
    assert plan([version], **policy).items[0].reason.startswith(expected)


def test_delete_reason_names_keep_latest_when_set() -> None:
    """A deletion under keep_latest says the version is not among the N newest."""
    p = plan([ver(1, days=1), ver(2, days=40)], keep_latest=1, older_than=30 * DAY)
    assert item(p, 2).reason == (
        "eligible and 40d old by created_at, older than 30d, not among the 1 newest eligible versions"
    )


# -- warnings --------------------------------------------------------------------------------


def test_container_plan_deleting_untagged_versions_warns_about_multi_arch_images() -> None:
    """Deleting untagged container versions warns once and notes it on those items only."""
    p = plan([ver(1), ver(2, "pr-1"), ver(3)], package_type="container", older_than=DAY)
    assert len(p.warnings) == 1
    assert "multi-arch" in p.warnings[0] and "cannot consult the registry" in p.warnings[0]
    assert "multi-arch" in item(p, 1).reason and "multi-arch" in item(p, 3).reason
    assert "multi-arch" not in item(p, 2).reason


@pytest.mark.parametrize(
    ("package_type", "versions"),
    [
        ("container", [ver(1, "pr-1")]),  # only tagged versions deleted
        ("container", [ver(1, days=0)]),  # untagged but kept
        ("npm", [ver(1)]),  # not a container package
        ("docker", [ver(1)]),
    ],
)
def test_no_multi_arch_warning_without_untagged_container_deletions(
    package_type: str, versions: list[PackageVersion]
) -> None:
    """The multi-arch warning appears only for untagged deletions in container packages."""
    p = plan(versions, package_type=package_type, older_than=DAY)
    assert p.warnings == () and all("multi-arch" not in i.reason for i in p.items)


def test_policy_without_limits_warns_that_everything_unprotected_goes() -> None:
    """No keep_latest, older_than or filter (protection alone) is allowed but warned about."""
    p = plan([ver(1, "latest"), ver(2)], protect_tags=("latest",), keep_latest=0)
    assert any("every unprotected version is planned for deletion" in w for w in p.warnings)
    assert rules(p) == {1: "protected-tag", 2: "delete"}


@pytest.mark.parametrize(
    "policy",
    [
        {"keep_latest": 1},
        {"older_than": DAY},
        {"tagged": "tagged"},
        {"include_tags": ("a",)},
        {"exclude_tags": ("a",)},
    ],
)
def test_any_limit_silences_the_unbounded_policy_warning(policy: dict[str, Any]) -> None:
    """A single keep_latest, older_than, tagged, include or exclude setting counts as a limit."""
    assert plan([ver(1, "b")], **policy).warnings == ()


def test_tag_patterns_with_untagged_filter_warn_they_do_nothing() -> None:
    """include_tags/exclude_tags next to tagged='untagged' cannot select anything: warned."""
    p = plan([ver(1)], tagged="untagged", include_tags=("pr-*",))
    assert p.warnings == ("include_tags and exclude_tags have no effect with tagged='untagged'",)


# -- argument checks -------------------------------------------------------------------------


def test_naive_now_is_rejected() -> None:
    """now without a timezone raises ValueError naming it."""
    with pytest.raises(ValueError, match="now must be a timezone-aware datetime"):
        plan_retention([ver(1)], RetentionPolicy(), now=datetime(2026, 6, 1))
    with pytest.raises(ValueError, match="'2026-06-01'"):
        plan_retention([], RetentionPolicy(), now="2026-06-01")  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
def test_naive_version_timestamp_is_rejected_with_the_version_id(field: str) -> None:
    """A hand-built version with a naive timestamp raises ValueError naming id and field."""
    v = msgspec.structs.replace(ver(8), **{field: datetime(2026, 1, 1)})
    with pytest.raises(ValueError, match=f"version 8 has a naive {field}"):
        plan([v])


INVALID_POLICIES: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"keep_latest": -1}, ValueError, "keep_latest must be an int >= 0 or None, got -1"),
    ({"keep_latest": True}, TypeError, "keep_latest .* got True"),
    ({"keep_latest": "3"}, TypeError, "keep_latest .* got '3'"),
    (
        {"older_than": timedelta(0)},
        ValueError,
        r"older_than must be a positive timedelta .* got datetime.timedelta\(0\)",
    ),
    ({"older_than": -DAY}, ValueError, r"older_than .* got datetime.timedelta\(days=-1\)"),
    ({"older_than": 30}, TypeError, "older_than must be a positive timedelta or None, got 30"),
    (
        {"age_field": "modified"},
        ValueError,
        "age_field must be one of 'created', 'updated', got 'modified'",
    ),
    ({"tagged": "all"}, ValueError, "tagged must be one of 'any', 'tagged', 'untagged', got 'all'"),
    ({"include_tags": ("",)}, ValueError, "include_tags patterns must be non-empty globs, got ''"),
    (
        {"include_tags": ("!",)},
        ValueError,
        "include_tags patterns must be non-empty globs, got '!'",
    ),
    (
        {"protect_names": ("  ",)},
        ValueError,
        "protect_names patterns must be non-empty globs, got '  '",
    ),
    (
        {"exclude_tags": ("!v*",)},
        ValueError,
        "exclude_tags pattern '!v\\*' is negated; '!' is accepted in include_tags only",
    ),
    ({"protect_tags": ("!",)}, ValueError, "protect_tags pattern '!' is negated"),
    (
        {"protect_tags": "latest"},
        TypeError,
        "protect_tags must be a sequence of glob patterns, got 'latest'",
    ),
    ({"exclude_tags": 3}, TypeError, "exclude_tags must be a sequence of glob patterns, got 3"),
    ({"include_tags": (1,)}, TypeError, "include_tags patterns must be str, got 1"),
    ({"protect_ids": "123"}, TypeError, "protect_ids must be a set of version ids"),
    ({"protect_ids": 123}, TypeError, "protect_ids must be a set of version ids .* got 123"),
    ({"protect_ids": {True}}, TypeError, "protect_ids must hold version ids .* got True"),
    ({"protect_ids": {"7"}}, TypeError, "protect_ids must hold version ids .* got '7'"),
]


@pytest.mark.parametrize(("kw", "error", "message"), INVALID_POLICIES)
def test_invalid_policy_is_rejected_naming_the_value(
    kw: dict[str, Any], error: type[Exception], message: str
) -> None:
    """Building a policy with a bad field raises, naming the field, value and what is accepted."""
    with pytest.raises(error, match=message):
        RetentionPolicy(**kw)


def test_policy_normalises_collections_and_stays_hashable() -> None:
    """Lists and sets become tuples and a frozenset, so the frozen policy hashes."""
    policy = RetentionPolicy(include_tags=["a"], protect_ids={1, 2}, protect_tags=["b"])  # type: ignore[arg-type]
    assert policy.include_tags == ("a",) and policy.protect_tags == ("b",)
    assert policy.protect_ids == frozenset({1, 2})
    assert hash(policy) == hash(
        RetentionPolicy(include_tags=("a",), protect_ids=frozenset({1, 2}), protect_tags=("b",))
    )


def test_policy_decoded_from_config_is_validated() -> None:
    """msgspec.convert builds a policy from config data and applies the same checks."""
    policy = msgspec.convert(
        {"keep_latest": 3, "older_than": "P30D", "protect_ids": [1]}, RetentionPolicy
    )
    assert policy.older_than == 30 * DAY and policy.protect_ids == frozenset({1})
    with pytest.raises(msgspec.ValidationError, match="keep_latest must be an int >= 0"):
        msgspec.convert({"keep_latest": -1}, RetentionPolicy)


# -- parse_duration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        ("90m", timedelta(minutes=90)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("45s", timedelta(seconds=45)),
        ("1w2d3h4m5s", timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5)),
        (" 7d ", timedelta(days=7)),
        ("0d", timedelta(0)),
    ],
)
def test_parse_duration_reads_unit_suffixed_integers(text: str, expected: timedelta) -> None:
    """Integers with w/d/h/m/s suffixes, largest unit first, add up to a timedelta."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "d", "30", "30x", "12h1d", "1d1d", "-1d", "1.5d", "30D", "\uff13\uff10d", "1 d"]
)
def test_parse_duration_rejects_other_forms_naming_value_and_forms(text: str) -> None:
    """Anything else raises ValueError quoting the text and the accepted forms."""
    with pytest.raises(
        ValueError, match=r"invalid duration .*expected one or more <int><unit>"
    ) as info:
        parse_duration(text)
    assert repr(text) in str(info.value)


def test_parse_duration_rejects_non_strings_and_overflow() -> None:
    """A non-str or a duration beyond timedelta's range raises ValueError."""
    with pytest.raises(ValueError, match="invalid duration 30"):
        parse_duration(30)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="duration '9999999999w' is too large"):
        parse_duration("9999999999w")


# -- properties ------------------------------------------------------------------------------

TAGS = ("latest", "v1.2.3", "v2", "pr-1", "pr-2", "sha-abc", "dev")
PROPERTY = settings(max_examples=150, deadline=None)


@st.composite
def version_lists(draw: st.DrawFn) -> list[PackageVersion]:
    """Up to 12 versions with distinct ids, random tags, names and ages (ties likely)."""
    ids = draw(st.lists(st.integers(1, 40), unique=True, max_size=12))
    return [
        ver(
            i,
            *draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=3)),
            days=draw(st.integers(-1, 60)),
            updated_days=draw(st.integers(-1, 60)),
            name=draw(st.sampled_from([f"sha256:{i:x}", f"keep-{i}", f"v{i}"])),
        )
        for i in ids
    ]


def _patterns(options: Sequence[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(options), unique=True, max_size=2).map(tuple)


policies = st.builds(
    RetentionPolicy,
    keep_latest=st.none() | st.integers(0, 6),
    older_than=st.none() | st.integers(1, 45).map(lambda d: timedelta(days=d)),
    age_field=st.sampled_from(["created", "updated"]),
    tagged=st.sampled_from(["any", "tagged", "untagged"]),
    include_tags=_patterns(["pr-*", "sha-*", "!pr-2", "v*", "!dev"]),
    exclude_tags=_patterns(["dev", "v2", "pr-?"]),
    protect_ids=st.frozensets(st.integers(1, 40), max_size=4),
    protect_names=_patterns(["keep-*", "v1*"]),
    protect_tags=_patterns(["latest", "v*.*.*"]),
)


def is_protected(v: PackageVersion, p: RetentionPolicy) -> bool:
    """The spec's protection, restated independently of the planner."""
    return (
        v.id in p.protect_ids
        or any(fnmatchcase(v.name, pat) for pat in p.protect_names)
        or any(fnmatchcase(t, pat) for t in v.tags for pat in p.protect_tags)
    )


def is_eligible(v: PackageVersion, p: RetentionPolicy) -> bool:
    """The spec's selection (after protection), restated independently of the planner."""
    if (
        is_protected(v, p)
        or (p.tagged == "tagged" and not v.tags)
        or (p.tagged == "untagged" and v.tags)
    ):
        return False
    if any(fnmatchcase(t, pat) for t in v.tags for pat in p.exclude_tags):
        return False
    if not v.tags or not p.include_tags:
        return True
    pos = [x for x in p.include_tags if not x.startswith("!")] or ["*"]
    neg = [x[1:] for x in p.include_tags if x.startswith("!")]
    return any(
        any(fnmatchcase(t, x) for x in pos) and not any(fnmatchcase(t, x) for x in neg)
        for t in v.tags
    )


@PROPERTY
@given(version_lists(), policies)
def test_property_protected_versions_are_never_deleted(
    versions: list[PackageVersion], policy: RetentionPolicy
) -> None:
    """No version matching protect_ids/names/tags is ever planned for deletion."""
    p = plan_retention(versions, policy, now=NOW, package_type="container")
    assert not any(is_protected(i.version, policy) for i in p.to_delete)


@PROPERTY
@given(version_lists(), policies)
def test_property_keep_latest_keeps_the_newest_min_n_eligible(
    versions: list[PackageVersion], policy: RetentionPolicy
) -> None:
    """The min(N, eligible) newest eligible versions (created_at, then id) are always kept."""
    p = plan_retention(versions, policy, now=NOW)
    eligible = sorted(
        (v for v in versions if is_eligible(v, policy)), key=lambda v: (v.created_at, v.id)
    )
    newest = {v.id for v in eligible[::-1][: policy.keep_latest or 0]}
    kept = {i.version.id for i in p.to_keep}
    assert newest <= kept and len(newest) == min(policy.keep_latest or 0, len(eligible))


@PROPERTY
@given(version_lists(), policies)
def test_property_deleted_versions_are_eligible_and_older_than_the_limit(
    versions: list[PackageVersion], policy: RetentionPolicy
) -> None:
    """Every deleted version is eligible, and older than older_than when it is set."""
    p = plan_retention(versions, policy, now=NOW)
    for i in p.to_delete:
        assert is_eligible(i.version, policy)
        assert policy.older_than is None or i.age > policy.older_than


@PROPERTY
@given(version_lists(), policies, st.randoms(use_true_random=False))
def test_property_plan_is_a_partition_of_the_input(
    versions: list[PackageVersion], policy: RetentionPolicy, rnd: Any
) -> None:
    """Each distinct input version appears exactly once, in order, kept xor deleted."""
    listed = versions + [rnd.choice(versions) for _ in range(2)] if versions else []
    p = plan_retention(listed, policy, now=NOW)
    assert [i.version for i in p.items] == versions
    assert sorted(i.version.id for i in p.to_keep + p.to_delete) == sorted(v.id for v in versions)
    assert {i.rule == "delete" for i in p.to_delete} <= {True}
