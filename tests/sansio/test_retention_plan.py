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
    deletion_order,
    is_github_refusal,
    is_release_name,
    parse_duration,
    plan_retention,
    recheck,
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

OLD = {"older_than": DAY}  # a selection rule that every 100-day-old version passes

RULE_CASES: list[tuple[str, dict[str, Any], list[PackageVersion], dict[int, str]]] = [
    (
        "protect_ids keeps the id",
        {**OLD, "protect_ids": frozenset({1})},
        [ver(1), ver(2), ver(3, days=0)],
        {1: "protected-id", 2: "delete", 3: "too-recent"},
    ),
    (
        "protect_names is a glob on the name",
        {**OLD, "protect_names": ("keep-*",)},
        [ver(1, name="keep-me"), ver(2, name="Keep-me")],
        {1: "protected-name", 2: "delete"},
    ),
    (
        "protect_tags matches any tag",
        {**OLD, "protect_tags": ("latest", "v*.*.*")},
        [ver(1, "x", "latest"), ver(2, "v1.2.3"), ver(3, "v1.2"), ver(4, days=0)],
        {1: "protected-tag", 2: "protected-tag", 3: "delete", 4: "too-recent"},
    ),
    (
        "protection beats every selection filter",
        {"tagged": "untagged", "exclude_tags": ("v*",), "protect_tags": ("v1",)},
        [ver(1, "v1")],
        {1: "protected-tag"},
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
        {**OLD, "exclude_tags": ("dev",)},
        [ver(1, "x", "dev"), ver(2, "x"), ver(3, days=0)],
        {1: "not-selected:exclude-tags", 2: "delete", 3: "too-recent"},
    ),
    (
        "a version with one matching and one non-matching tag is kept",
        {"include_tags": ("sha-*",)},
        [ver(1, "sha-1a2b", "v1.4.0"), ver(2, "sha-3c4d"), ver(3, "sha-5e", "sha-6f")],
        {1: "not-selected:include-tags", 2: "delete", 3: "delete"},
    ),
    (
        "include_tags implies tagged='tagged'",
        {"include_tags": ("sha-*",)},
        [ver(1), ver(2, "sha-1"), ver(3, "v1")],
        {1: "not-selected:tagged-filter", 2: "delete", 3: "not-selected:include-tags"},
    ),
    (
        "an explicit tagged='any' with include_tags also selects untagged versions",
        {"include_tags": ("sha-*",), "tagged": "any"},
        [ver(1), ver(2, "sha-1"), ver(3, "v1")],
        {1: "delete", 2: "delete", 3: "not-selected:include-tags"},
    ),
    (
        "version_ids selects exactly those ids, still under protection",
        {"version_ids": frozenset({1, 2}), "protect_tags": ("latest",)},
        [ver(1), ver(2, "latest"), ver(3)],
        {1: "delete", 2: "protected-tag", 3: "not-selected:version-id"},
    ),
    (
        "keep_latest counts only selected versions",
        {"tagged": "untagged", "keep_latest": 1},
        [ver(1, "v1", days=1), ver(2, days=2), ver(3, days=3), ver(4, "v2", days=4)],
        {
            1: "not-selected:tagged-filter",
            2: "keep-latest",
            3: "delete",
            4: "not-selected:tagged-filter",
        },
    ),
    (
        "keep_latest and older_than: deleted only when both allow it",
        {"keep_latest": 2, "older_than": 10 * DAY},
        [ver(1, days=1), ver(2, days=2), ver(3, days=5), ver(4, days=20), ver(5, days=30)],
        {1: "keep-latest", 2: "keep-latest", 3: "too-recent", 4: "delete", 5: "delete"},
    ),
    (
        "keep_latest keeps the N newest even when they are old",
        {"keep_latest": 2, "older_than": 10 * DAY},
        [ver(1, days=40), ver(2, days=50), ver(3, days=60)],
        {1: "keep-latest", 2: "keep-latest", 3: "delete"},
    ),
    (
        "keep_latest_tagged and keep_latest_untagged count each state apart",
        {"keep_latest_tagged": 1, "keep_latest_untagged": 1},
        [ver(1, "a", days=1), ver(2, "b", days=2), ver(3, days=3), ver(4, days=4)],
        {1: "keep-latest-tagged", 2: "delete", 3: "keep-latest-untagged", 4: "delete"},
    ),
    (
        "keep_latest ranks by updated_at by default",
        {"keep_latest": 1},
        [ver(1, days=50, updated_days=1), ver(2, days=10, updated_days=10)],
        {1: "keep-latest", 2: "delete"},
    ),
    (
        "keep_latest ranks by created_at with age_by='created'",
        {"keep_latest": 1, "age_by": "created"},
        [ver(1, days=50, updated_days=1), ver(2, days=10, updated_days=10)],
        {1: "delete", 2: "keep-latest"},
    ),
    (
        "ties in age are broken by the higher id",
        {"keep_latest": 1},
        [ver(7, days=5), ver(9, days=5), ver(8, days=5)],
        {7: "delete", 9: "keep-latest", 8: "delete"},
    ),
    (
        "age is by updated_at by default: a recent update keeps it",
        {"older_than": 30 * DAY},
        [ver(1, days=100, updated_days=1), ver(2, days=100), ver(3, days=0)],
        {1: "too-recent", 2: "delete", 3: "too-recent"},
    ),
    (
        "the last remaining version is never planned",
        {"older_than": DAY},
        [ver(1, days=10), ver(2, days=20)],
        {1: "github-last-version", 2: "delete"},
    ),
]


@pytest.mark.parametrize(
    ("policy", "versions", "expected"),
    [pytest.param(kw, vs, exp, id=name) for name, kw, vs, exp in RULE_CASES],
)
def test_each_version_gets_the_rule_that_applies_first(
    policy: dict[str, Any], versions: list[PackageVersion], expected: dict[int, str]
) -> None:
    """The documented rule order decides each version (table of cases)."""
    assert rules(plan(versions, **policy)) == expected


def test_items_keep_the_input_order() -> None:
    """plan.items lists the versions in the order they were given."""
    versions = [ver(3, days=5), ver(1, days=9), ver(2, days=7)]
    assert [i.version.id for i in plan(versions, older_than=DAY).items] == [3, 1, 2]


def test_decision_is_a_str_enum_that_prints_its_value() -> None:
    """Decision compares equal to its string and prints it."""
    assert isinstance(Decision.DELETE, str) and Decision("delete") is Decision.DELETE
    assert str(Decision.KEEP) == "keep"


def test_repeated_ids_are_planned_once_at_their_first_position_with_a_warning() -> None:
    """A version id listed twice is planned once, and the plan says so."""
    p = plan([ver(1), ver(2), ver(1)], older_than=DAY)
    assert [i.version.id for i in p.items] == [1, 2]
    assert any("repeated" in w for w in p.warnings)


def test_to_dict_is_json_ready_with_the_documented_keys() -> None:
    """to_dict() gives the plan's JSON shape with every documented key."""
    doc = plan([ver(1, "a", days=2), ver(2)], older_than=DAY).to_dict()
    json.dumps(doc)
    assert set(doc) == {"items", "warnings"}
    keys = {"id", "name", "tags", "age_seconds", "decision", "rule", "reason", "role", "goes_with"}
    assert set(doc["items"][0]) == keys and doc["items"][0]["age_seconds"] == 2 * 86400


def test_container_plan_without_a_registry_keeps_untagged_versions_and_says_why() -> None:
    """Without an image graph, an untagged container version is kept (needs-registry), warned."""
    p = plan([ver(1), ver(2, "v1", days=0), ver(3, "old")], "container", older_than=DAY)
    assert rules(p) == {1: "needs-registry", 2: "too-recent", 3: "delete"}
    assert item(p, 1).decision == Decision.KEEP and "multi-arch" in item(p, 1).reason
    assert any("registry" in w and "multi-arch" in w for w in p.warnings)


def test_naive_now_is_rejected() -> None:
    """A naive ``now`` is a ValueError naming it."""
    with pytest.raises(ValueError, match="now must be a timezone-aware datetime"):
        plan_retention([], RetentionPolicy(older_than=DAY), now=datetime(2026, 1, 1))


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
def test_naive_version_timestamp_is_rejected_with_the_version_id(field: str) -> None:
    """A hand-built version with a naive timestamp raises ValueError naming id and field."""
    v = msgspec.structs.replace(ver(8), **{field: datetime(2026, 1, 1)})
    with pytest.raises(ValueError, match=f"version 8 has a naive {field}"):
        plan([v], older_than=DAY)


# -- pattern syntax, pre-releases, explicit ids ---------------------------------------------


def test_regex_patterns_full_match() -> None:
    """With pattern_syntax='regex' a pattern must match the whole tag."""
    versions = [ver(1, "pr-12"), ver(2, "pr-12-fix"), ver(3, days=0)]
    p = plan(versions, include_tags=(r"pr-\d+",), pattern_syntax="regex")
    assert rules(p) == {
        1: "delete",
        2: "not-selected:include-tags",
        3: "not-selected:tagged-filter",
    }


def test_a_bad_regex_is_refused_naming_it() -> None:
    """A regex that does not compile is a ValueError naming the field and the pattern."""
    with pytest.raises(ValueError, match=r"protect_tags pattern '\(v' is not a valid regex"):
        RetentionPolicy(older_than=DAY, protect_tags=("(v",), pattern_syntax="regex")


def test_globs_are_not_validated_as_regexes() -> None:
    """The same text is a fine glob: globs are the default syntax."""
    assert RetentionPolicy(older_than=DAY, protect_tags=("(v",)).protect_tags == ("(v",)


@pytest.mark.parametrize(
    ("name", "release"),
    [
        ("1.2.3", True), ("v2", True), ("10.0", True), ("1.2.3-rc.1", False),
        ("1.2.3.dev1", False), ("1.2.3-SNAPSHOT", False), ("2.0.0-beta", False),
    ],
)  # fmt: skip
def test_release_names_are_plain_dotted_numbers(name: str, release: bool) -> None:
    """1.2.3 is a release; 1.2.3-rc.1, 1.2.3.dev1 and 1.2.3-SNAPSHOT are not."""
    assert is_release_name(name) is release


def test_prerelease_only_keeps_releases() -> None:
    """prerelease_only selects only versions whose name is not a plain release."""
    versions = [ver(1, name="1.2.3"), ver(2, name="1.2.3-rc.1"), ver(3, name="1.3.0")]
    assert rules(plan(versions, prerelease_only=True)) == {
        1: "not-selected:prerelease", 2: "delete", 3: "not-selected:prerelease",
    }  # fmt: skip


def test_prerelease_only_is_refused_for_containers() -> None:
    """Container versions have digests for names: prerelease_only there is a ValueError."""
    with pytest.raises(ValueError, match="prerelease_only is refused for container packages"):
        plan([ver(1)], "container", prerelease_only=True)


def test_negated_include_pattern_is_refused_pointing_at_exclude_tags() -> None:
    """'!x' in include_tags is refused with a message naming exclude_tags."""
    with pytest.raises(ValueError, match=r"put 'dev' in exclude_tags \(CLI --exclude-tag\)"):
        RetentionPolicy(include_tags=("!dev",))


def test_empty_policy_is_refused_listing_the_selection_rules() -> None:
    """A policy with no selection rule is refused; the message lists the rules."""
    with pytest.raises(
        ValueError, match=r"give at least one of tagged \(--tag-state\).*version_ids"
    ):
        RetentionPolicy()


def test_protection_alone_is_still_an_empty_policy() -> None:
    """Protection and exclusion select nothing by themselves, so they are refused too."""
    with pytest.raises(ValueError, match="the policy selects every version"):
        RetentionPolicy(protect_tags=("latest",), exclude_tags=("dev",))


def test_age_field_is_the_old_name_of_age_by() -> None:
    """age_field (0.1) still works and sets age_by."""
    assert RetentionPolicy(older_than=DAY, age_field="created").age_by == "created"


# -- limit order, re-check, GitHub's refusals ------------------------------------------------


def test_deletion_order_is_oldest_first_ties_by_id() -> None:
    """deletion_order lists the planned deletions oldest first, ties by the lower id."""
    versions = [ver(5, days=10), ver(3, days=30), ver(4, days=30), ver(9, days=0)]
    p = plan(versions, older_than=DAY)
    assert [i.version.id for i in deletion_order(p)] == [3, 4, 5]


def test_recheck_keeps_a_version_that_gained_a_protected_tag() -> None:
    """A version that now carries a protected tag is kept by the re-check."""
    policy = RetentionPolicy(older_than=DAY, protect_tags=("release-*",))
    assert recheck(ver(1), policy) is None
    assert recheck(ver(1, "release-1"), policy) == (
        "protected-tag", "tag 'release-1' matches protected pattern 'release-*'",
    )  # fmt: skip


def test_recheck_keeps_a_version_that_became_tagged_under_an_untagged_policy() -> None:
    """A formerly untagged version that was tagged meanwhile is no longer selected."""
    verdict = recheck(ver(1, "v1"), RetentionPolicy(tagged="untagged"))
    assert verdict is not None and verdict[0] == "not-selected:tagged-filter"


@pytest.mark.parametrize(
    ("status", "message", "refusal"),
    [
        (400, "You cannot delete the last version of a package. You must delete the package instead.", True),
        (403, "Publicly visible package versions with more than 5000 downloads cannot be deleted.", True),
        (403, "Must have admin rights to Repository.", False),
        (404, "Not Found", False),
        (500, "last version of a package", False),
    ],
)  # fmt: skip
def test_github_refusals_are_told_apart_from_failures(
    status: int, message: str, refusal: bool
) -> None:
    """Rule refusals (last version, downloads) are recognised; permission errors are not."""
    assert is_github_refusal(status, message) is refusal


# -- validation ------------------------------------------------------------------------------

INVALID_POLICIES: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"keep_latest": -1}, ValueError, "keep_latest must be an int >= 0 or None, got -1"),
    ({"keep_latest": True}, TypeError, "keep_latest .* got True"),
    ({"keep_latest_tagged": "3"}, TypeError, "keep_latest_tagged .* got '3'"),
    ({"keep_latest_untagged": -2}, ValueError, "keep_latest_untagged .* got -2"),
    (
        {"older_than": timedelta(0)},
        ValueError,
        r"older_than must be a positive timedelta .* got datetime.timedelta\(0\)",
    ),
    ({"older_than": 30}, TypeError, "older_than must be a positive timedelta or None, got 30"),
    ({"age_by": "modified"}, ValueError, "age_by must be one of 'created', 'updated'"),
    ({"tagged": "all"}, ValueError, "tagged must be one of 'any', 'tagged', 'untagged', got 'all'"),
    ({"pattern_syntax": "re", **OLD}, ValueError, "pattern_syntax must be one of 'glob'"),
    ({"include_tags": ("",)}, ValueError, "include_tags patterns must be non-empty, got ''"),
    ({"protect_tags": "latest", **OLD}, TypeError, "protect_tags must be a sequence of glob"),
    ({"include_tags": (1,)}, TypeError, "include_tags patterns must be str, got 1"),
    ({"protect_ids": 123}, TypeError, "protect_ids must be a set of version ids .* got 123"),
    ({"version_ids": {True}}, TypeError, "version_ids must hold version ids .* got True"),
    ({"prerelease_only": 1}, TypeError, "prerelease_only must be a bool, got 1"),
]


@pytest.mark.parametrize(("kw", "error", "message"), INVALID_POLICIES)
def test_invalid_policy_is_rejected_naming_the_value(
    kw: dict[str, Any], error: type[Exception], message: str
) -> None:
    """Building a policy with a bad field raises, naming the field, value and what is accepted."""
    with pytest.raises(error, match=message):
        RetentionPolicy(**kw)


def test_policy_decoded_from_config_is_validated() -> None:
    """msgspec.convert builds a policy from config data and applies the same checks."""
    policy = msgspec.convert(
        {"keep_latest": 3, "older_than": "P30D", "protect_ids": [1]}, RetentionPolicy
    )
    assert policy.older_than == 30 * DAY and policy.protect_ids == frozenset({1})
    with pytest.raises(msgspec.ValidationError, match="keep_latest must be an int >= 0"):
        msgspec.convert({"keep_latest": -1}, RetentionPolicy)


def test_policy_round_trips_through_json() -> None:
    """A policy encodes to JSON and decodes to an equal policy (the journal stores it)."""
    policy = RetentionPolicy(include_tags=("sha-*",), keep_latest=2, version_ids=frozenset({4}))
    assert msgspec.json.decode(msgspec.json.encode(policy), type=RetentionPolicy) == policy


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
    older_than=st.integers(1, 45).map(lambda d: timedelta(days=d)),
    age_by=st.sampled_from(["created", "updated"]),
    tagged=st.sampled_from([None, "any", "tagged", "untagged"]),
    include_tags=_patterns(["pr-*", "sha-*", "v*"]),
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


def is_selected(v: PackageVersion, p: RetentionPolicy) -> bool:
    """The spec's selection (after protection), restated independently of the planner."""
    if is_protected(v, p) or (p.tagged == "tagged" and not v.tags):
        return False
    if p.tagged == "untagged" and v.tags:
        return False
    if any(fnmatchcase(t, pat) for t in v.tags for pat in p.exclude_tags):
        return False
    return all(any(fnmatchcase(t, x) for x in p.include_tags) for t in v.tags) or not p.include_tags


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
def test_property_keep_latest_keeps_the_newest_min_n_selected(
    versions: list[PackageVersion], policy: RetentionPolicy
) -> None:
    """The min(N, selected) newest selected versions (age_by, then id) are always kept."""
    p = plan_retention(versions, policy, now=NOW)
    by = "created_at" if policy.age_by == "created" else "updated_at"
    selected = sorted(
        (v for v in versions if is_selected(v, policy)), key=lambda v: (getattr(v, by), v.id)
    )
    newest = {v.id for v in selected[::-1][: policy.keep_latest or 0]}
    kept = {i.version.id for i in p.to_keep}
    assert newest <= kept and len(newest) == min(policy.keep_latest or 0, len(selected))


@PROPERTY
@given(version_lists(), policies)
def test_property_deleted_versions_are_selected_and_older_than_the_limit(
    versions: list[PackageVersion], policy: RetentionPolicy
) -> None:
    """Every deleted version is selected and older than older_than; one version always stays."""
    p = plan_retention(versions, policy, now=NOW)
    for i in p.to_delete:
        assert is_selected(i.version, policy)
        assert policy.older_than is None or i.age > policy.older_than
    assert not versions or p.to_keep


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
