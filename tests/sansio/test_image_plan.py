"""The container planner by image, on hand-made graphs: keep, cascade, fail closed, grace."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest

from aiogh_packages._sansio.image_plan import plan_images
from aiogh_packages._sansio.images import ImageVersion, Unreadable, build_graph
from aiogh_packages._sansio.registry_wire import (
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    ImageIndex,
    ImageManifest,
    Manifest,
    Platform,
)
from aiogh_packages._sansio.retention_plan import (
    Decision,
    RetentionPlan,
    RetentionPolicy,
    deletion_order,
)
from aiogh_packages._sansio.untag_plan import plan_untags
from aiogh_packages.models import PackageVersion

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
IN_TOTO = "application/vnd.in-toto+json"


def d(n: int) -> str:
    """A digest made from a number (the version of id ``n`` has it as its name)."""
    return f"sha256:{n:064x}"


def ver(id: int, *tags: str, days: float = 100) -> PackageVersion:
    """A container version named ``d(id)``, created ``days`` before NOW."""
    stamp = (NOW - timedelta(days=days)).isoformat()
    return msgspec.convert(
        {
            "id": id, "name": d(id), "url": f"https://api.github.com/x/{id}",
            "package_html_url": "https://github.com/x", "created_at": stamp, "updated_at": stamp,
            "metadata": {"package_type": "container", "container": {"tags": list(tags)}},
        },
        PackageVersion,
    )  # fmt: skip


def image(*, layer: str = "application/vnd.oci.image.layer.v1.tar+gzip") -> ImageManifest:
    """A one-layer image manifest."""
    return ImageManifest(
        media_type=OCI_MANIFEST,
        config=Descriptor(media_type="application/vnd.oci.image.config.v1+json", digest=d(900)),
        layers=(Descriptor(media_type=layer, digest=d(901)),),
    )


def index(*children: int) -> ImageIndex:
    """An index over ``children`` (linux/amd64 each)."""
    entries = tuple(
        Descriptor(digest=d(c), platform=Platform(os="linux", architecture="amd64"))
        for c in children
    )
    return ImageIndex(media_type=OCI_INDEX, manifests=entries)


def plan(
    versions: list[PackageVersion], manifests: dict[int, Manifest | Unreadable], **kw: Any
) -> RetentionPlan:
    """Plan ``versions`` by image at NOW under a policy built from ``kw``."""
    graph = build_graph(
        [ImageVersion(digest=v.name, tags=v.tags, id=v.id) for v in versions],
        {d(n): m for n, m in manifests.items()},
    )
    return plan_images(versions, RetentionPolicy(**kw), graph, now=NOW)


def rules(p: RetentionPlan) -> dict[int, str]:
    """Version id -> deciding rule."""
    return {item.version.id: item.rule for item in p.items}


def two_images() -> tuple[list[PackageVersion], dict[int, Manifest | Unreadable]]:
    """A tagged index 1 over 2, 3 and an untagged index 4 over 5, 6."""
    versions = [ver(1, "v1"), ver(2), ver(3), ver(4), ver(5), ver(6)]
    manifests: dict[int, Manifest | Unreadable] = {
        1: index(2, 3), 2: image(), 3: image(), 4: index(5, 6), 5: image(), 6: image(),
    }  # fmt: skip
    return versions, manifests


def test_untagged_children_of_a_kept_tagged_index_are_kept() -> None:
    """With tagged='untagged', a kept index's platform versions stay (needed-by-image)."""
    p = plan(*two_images(), tagged="untagged")
    assert rules(p)[2] == rules(p)[3] == "needed-by-image"
    assert "v1" in next(i for i in p.items if i.version.id == 2).reason


def test_an_untagged_top_level_image_goes_with_its_children() -> None:
    """An untagged index is deleted and its children cascade, counted in its reason."""
    p = plan(*two_images(), tagged="untagged")
    assert {i.version.id for i in p.to_delete} == {4, 5, 6}
    assert rules(p)[5] == rules(p)[6] == "cascade"
    assert next(i for i in p.items if i.version.id == 5).goes_with == (4,)
    assert "2 child version(s) go with it" in next(i for i in p.items if i.version.id == 4).reason


def test_deleting_a_tagged_image_cascades_to_its_children_only() -> None:
    """include_tags deleting v1 takes its children; the other image's children are not touched."""
    versions, manifests = two_images()
    versions.append(ver(7, "v2"))
    manifests[7] = image()
    p = plan(versions, manifests, include_tags=("v1",))
    assert {i.version.id for i in p.to_delete} == {1, 2, 3}


def test_a_child_shared_by_two_indexes_goes_only_with_the_last() -> None:
    """A child two indexes list is kept while one is kept, and goes with both otherwise."""
    versions = [ver(1, "a"), ver(2, "b"), ver(3), ver(4, "keep", days=0)]
    manifests: dict[int, Manifest | Unreadable] = {
        1: index(3), 2: index(3), 3: image(), 4: image()
    }  # fmt: skip
    assert rules(plan(versions, manifests, include_tags=("a",)))[3] == "needed-by-image"
    both = plan(versions, manifests, include_tags=("a", "b"))
    assert next(i for i in both.items if i.version.id == 3).goes_with == (1, 2)


def test_keep_latest_counts_images_not_versions() -> None:
    """keep_latest=1 keeps the newest image with every child it has."""
    versions = [ver(1, days=10), ver(2, days=10), ver(3, days=5), ver(4, days=5)]
    manifests: dict[int, Manifest | Unreadable] = {
        1: index(2), 2: image(), 3: index(4), 4: image()
    }  # fmt: skip
    p = plan(versions, manifests, keep_latest=1)
    assert rules(p) == {1: "delete", 2: "cascade", 3: "keep-latest", 4: "needed-by-image"}


def test_an_unreadable_manifest_keeps_every_untagged_version_and_says_why() -> None:
    """A non-404 manifest failure fails closed: nothing untagged goes; the warning names it."""
    versions, manifests = two_images()
    manifests[3] = Unreadable(reason="registry answered 500")
    p = plan(versions, manifests, tagged="untagged")
    assert p.to_delete == ()
    assert rules(p)[4] == "fail-closed"
    assert any("fail closed" in w and "500" in w and d(3)[:19] in w for w in p.warnings)


def test_a_tagged_image_may_still_go_when_the_graph_fails_closed() -> None:
    """Fail closed holds untagged versions only: a selected tagged image is still deleted."""
    versions, manifests = two_images()
    manifests[5] = Unreadable(reason="unknown media type")
    p = plan(versions, manifests, include_tags=("v1",))
    assert {i.version.id for i in p.to_delete} == {1}
    assert rules(p)[2] == rules(p)[3] == "fail-closed"


def test_a_missing_manifest_is_reported_and_does_not_fail_closed() -> None:
    """A 404 manifest of a listed version is reported; other untagged deletion goes on."""
    versions, manifests = two_images()
    versions.append(ver(7))
    manifests[7] = Unreadable(reason="manifest not found", missing=True)
    p = plan(versions, manifests, tagged="untagged")
    assert {4, 5, 6} <= {i.version.id for i in p.to_delete}
    assert any("404" in w and d(7)[:19] in w for w in p.warnings)


def test_untagged_versions_younger_than_grace_are_kept() -> None:
    """An untagged image pushed within grace stays (its index may be in flight)."""
    versions = [ver(1, "v1"), ver(2, days=0.01), ver(3, days=1)]
    manifests: dict[int, Manifest | Unreadable] = {1: image(), 2: image(), 3: image()}
    p = plan(versions, manifests, tagged="untagged")
    assert rules(p) == {1: "not-selected:tagged-filter", 2: "grace", 3: "delete"}
    assert rules(plan(versions, manifests, tagged="untagged", grace=timedelta(0)))[2] == "delete"


def test_orphans_are_selected_as_untagged_and_deleted_with_delete_orphans() -> None:
    """An orphan attestation goes with tagged='untagged'; a tagged orphan with delete_orphans."""
    sig = f"sha256-{99:064x}.sig"  # cosign signature of a digest that is not a version
    versions = [ver(1, "v1"), ver(2), ver(3, sig)]
    manifests: dict[int, Manifest | Unreadable] = {
        1: image(), 2: image(layer=IN_TOTO), 3: image()
    }  # fmt: skip
    assert rules(plan(versions, manifests, tagged="untagged"))[2] == "delete"
    p = plan(versions, manifests, protect_tags=("v1",), tagged="untagged", delete_orphans=True)
    assert rules(p) == {1: "protected-tag", 2: "orphan", 3: "orphan"}


def test_ghost_and_partial_images_go_only_with_their_options() -> None:
    """A ghost (partial) index is deleted, with its present children, only when asked to."""
    versions = [ver(1, "ghost"), ver(2, "partial"), ver(3), ver(4, "v1", days=0)]
    manifests: dict[int, Manifest | Unreadable] = {
        1: index(90), 2: index(3, 91), 3: image(), 4: image()
    }  # fmt: skip
    assert plan(versions, manifests, tagged="untagged").to_delete == ()
    p = plan(versions, manifests, tagged="untagged", delete_ghost_images=True,
             delete_partial_images=True)  # fmt: skip
    assert rules(p) == {1: "ghost-image", 2: "partial-image", 3: "cascade", 4: "not-selected:tagged-filter"}  # fmt: skip


def test_a_protected_child_is_kept_when_its_image_goes() -> None:
    """protect_ids keeps a child even when its image is deleted."""
    p = plan(*two_images(), tagged="untagged", protect_ids=frozenset({5}))
    assert rules(p)[5] == "protected-id" and rules(p)[6] == "cascade"


def test_the_last_image_is_kept_with_its_children() -> None:
    """When every image would go, the newest stays, and so do the versions it needs."""
    versions = [ver(1, days=10), ver(2, days=10), ver(3, days=5), ver(4, days=5)]
    manifests: dict[int, Manifest | Unreadable] = {
        1: index(2), 2: image(), 3: index(4), 4: image()
    }  # fmt: skip
    p = plan(versions, manifests, tagged="untagged")
    assert rules(p) == {1: "delete", 2: "cascade", 3: "github-last-version", 4: "needed-by-image"}


def test_deletion_order_puts_each_cascade_right_after_its_image() -> None:
    """An image is deleted before the children that go with it, image by image."""
    versions = [ver(1, days=5), ver(2, days=50), ver(3, days=30), ver(4, days=40), ver(9, "v")]
    manifests: dict[int, Manifest | Unreadable] = {
        1: index(2), 2: image(), 3: index(4), 4: image(), 9: image()
    }  # fmt: skip
    p = plan(versions, manifests, tagged="untagged", grace=timedelta(0))
    assert [i.version.id for i in deletion_order(p)] == [3, 4, 1, 2]
    assert all(i.decision == Decision.DELETE for i in deletion_order(p))


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [("grace", timedelta(seconds=-1), ValueError), ("grace", 60, TypeError),
     ("delete_orphans", "yes", TypeError), ("delete_ghost_images", 1, TypeError)],
)  # fmt: skip
def test_image_policy_fields_are_validated(field: str, value: object, error: type) -> None:
    """A negative or non-timedelta grace, or a non-bool delete_* option, is refused by name."""
    with pytest.raises(error, match=field):
        RetentionPolicy(tagged="untagged", **{field: value})


def test_deleting_every_ghost_image_still_keeps_the_newest() -> None:
    """delete_ghost_images never plans away the last version: the newest ghost stays."""
    versions = [ver(1, "a", days=9), ver(2, "b", days=8)]
    manifests: dict[int, Manifest | Unreadable] = {1: index(90), 2: index(91)}
    p = plan(versions, manifests, tagged="untagged", delete_ghost_images=True)
    assert rules(p) == {1: "ghost-image", 2: "github-last-version"}


def test_a_child_no_top_level_version_needs_is_kept() -> None:
    """Two indexes listing each other have no top-level image; neither is deleted."""
    versions = [ver(1), ver(2), ver(3, "v1")]
    manifests: dict[int, Manifest | Unreadable] = {1: index(2), 2: index(1), 3: image()}
    p = plan(versions, manifests, tagged="untagged")
    assert rules(p)[1] == rules(p)[2] == "needed-by-image" and p.to_delete == ()


def test_untag_removes_matching_tags_but_never_the_last_one() -> None:
    """Matching tags go from multi-tagged versions, never a protected one nor the last tag."""
    versions = [ver(1, "v1", "sha-1"), ver(2, "sha-2"), ver(3, "v3"), ver(4, "sha-4", "sha-k")]
    p = plan_untags(versions, ["sha-*"], protect_tags=["sha-k"])
    assert [(v.id, tags) for v, tags in p.remove] == [(1, ("sha-1",)), (4, ("sha-4",))]
    assert [v.id for v, _ in p.skipped] == [2]


def test_untag_patterns_may_be_regexes() -> None:
    """With syntax='regex', patterns are full-match regular expressions."""
    p = plan_untags([ver(1, "v1", "pr-12")], [r"pr-\d+"], syntax="regex")
    assert [tags for _, tags in p.remove] == [("pr-12",)]


def test_a_version_missing_from_the_graph_fails_closed() -> None:
    """A listed version the graph does not know keeps every untagged version."""
    versions, manifests = two_images()
    graph = build_graph(
        [ImageVersion(digest=v.name, tags=v.tags) for v in versions[:-1]],
        {d(n): m for n, m in manifests.items()},
    )
    p = plan_images(versions, RetentionPolicy(tagged="untagged"), graph, now=NOW)
    assert p.to_delete == () and any("not in the image graph" in w for w in p.warnings)
