"""The image graph on hand-made manifests: parents, referrers, roles, fail closed."""

from __future__ import annotations

from aiogh_packages._sansio.images import (
    ImageVersion,
    Unreadable,
    broken_images,
    build_graph,
)
from aiogh_packages._sansio.registry_wire import (
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    ImageIndex,
    ImageManifest,
    Manifest,
    Platform,
)


def d(n: int) -> str:
    """A digest made from a number."""
    return f"sha256:{n:064x}"


def image(*, layers: str = "application/vnd.oci.image.layer.v1.tar+gzip") -> ImageManifest:
    """A one-layer image manifest."""
    return ImageManifest(
        media_type=OCI_MANIFEST,
        config=Descriptor(media_type="application/vnd.oci.image.config.v1+json", digest=d(900)),
        layers=(Descriptor(media_type=layers, digest=d(901)),),
    )


def index(*children: int, attestation_for: dict[int, int] | None = None) -> ImageIndex:
    """An index over ``children``; ``attestation_for`` maps attestation -> platform child."""
    entries = [
        Descriptor(digest=d(c), platform=Platform(os="linux", architecture="amd64"))
        for c in children
    ]
    for att, target in (attestation_for or {}).items():
        entries.append(
            Descriptor(
                digest=d(att),
                platform=Platform(os="unknown", architecture="unknown"),
                annotations={"vnd.docker.reference.digest": d(target)},
            )
        )
    return ImageIndex(media_type=OCI_INDEX, manifests=tuple(entries))


def graph(versions: dict[int, tuple[str, ...]], manifests: dict[int, Manifest | Unreadable]):  # type: ignore[no-untyped-def]
    """The graph of numbered versions (number -> tags) and their manifests."""
    return build_graph(
        [ImageVersion(digest=d(n), tags=tags) for n, tags in versions.items()],
        {d(n): m for n, m in manifests.items()},
    )


def test_index_children_are_platform_with_the_index_as_parent() -> None:
    """An index's listed children are platform versions whose parent is the index."""
    g = graph({1: ("v1",), 2: (), 3: ()}, {1: index(2, 3), 2: image(), 3: image()})
    assert g.nodes[d(1)].role == "image"
    assert [g.nodes[d(n)].role for n in (2, 3)] == ["platform", "platform"]
    assert g.nodes[d(2)].parents == (d(1),)


def test_nested_index_children_are_needed_by_the_top_index() -> None:
    """A nested index is a child, and its own children are needed by the top index."""
    g = graph({1: ("v1",), 2: (), 3: ()}, {1: index(2), 2: index(3), 3: image()})
    assert g.nodes[d(2)].role == "platform"
    assert g.needs(d(1)) == {d(2), d(3)}


def test_child_shared_by_two_indexes_has_both_parents() -> None:
    """A child listed by two indexes keeps both as parents, so it goes only with the last one."""
    g = graph({1: ("a",), 2: ("b",), 3: ()}, {1: index(3), 2: index(3), 3: image()})
    assert g.nodes[d(3)].parents == (d(1), d(2))
    remaining = graph({2: ("b",), 3: ()}, {2: index(3), 3: image()})
    assert remaining.nodes[d(3)].role == "platform"


def test_buildx_attestation_is_an_attestation_referring_to_its_platform() -> None:
    """An unknown/unknown entry with a reference annotation is an attestation of that child."""
    g = graph(
        {1: ("v1",), 2: (), 4: ()},
        {1: index(2, attestation_for={4: 2}), 2: image(), 4: image()},
    )
    assert g.nodes[d(4)].role == "attestation"
    assert g.nodes[d(4)].subject == d(2)
    assert g.nodes[d(2)].referrers == (d(4),)


def test_cosign_tags_are_signature_and_attestation_of_their_subject() -> None:
    """``sha256-<hex>.sig`` is a signature and ``.att`` an attestation of that digest."""
    sig, att = f"sha256-{1:064x}.sig", f"sha256-{1:064x}.att"
    g = graph({1: ("v1",), 5: (sig,), 6: (att,)}, {1: image(), 5: image(), 6: image()})
    assert (g.nodes[d(5)].role, g.nodes[d(6)].role) == ("signature", "attestation")
    assert g.nodes[d(1)].referrers == (d(5), d(6))
    assert g.needs(d(1)) == {d(5), d(6)}


def test_subject_referrer_is_linked_to_its_subject() -> None:
    """An OCI 1.1 manifest with ``subject`` refers to that digest; a sig artifact is a signature."""
    referrer = ImageManifest(
        media_type=OCI_MANIFEST,
        artifact_type="application/vnd.dev.cosign.artifact.sig.v1+json",
        subject=Descriptor(digest=d(1)),
    )
    g = graph({1: ("v1",), 7: ()}, {1: image(), 7: referrer})
    assert g.nodes[d(7)].role == "signature"
    assert g.nodes[d(1)].referrers == (d(7),)


def test_index_without_any_child_version_is_a_ghost() -> None:
    """An index none of whose children are versions is a ghost."""
    g = graph({1: ("v1",)}, {1: index(2, 3)})
    assert g.nodes[d(1)].role == "ghost"
    assert g.nodes[d(1)].missing_children == (d(2), d(3))


def test_index_missing_some_children_is_partial() -> None:
    """An index with only some child versions is partial."""
    g = graph({1: ("v1",), 2: ()}, {1: index(2, 3), 2: image()})
    assert g.nodes[d(1)].role == "partial"


def test_referrer_whose_subject_is_gone_is_an_orphan() -> None:
    """A signature or attestation of a digest that is no version any more is an orphan."""
    sig = f"sha256-{1:064x}.sig"
    g = graph({5: (sig,), 4: ()}, {5: image(), 4: image(layers="application/vnd.in-toto+json")})
    assert (g.nodes[d(5)].role, g.nodes[d(4)].role) == ("orphan", "orphan")


def test_untagged_parentless_image_is_a_top_level_image() -> None:
    """An untagged single-platform manifest without a parent is an (untagged) image."""
    g = graph({1: ()}, {1: image()})
    assert g.nodes[d(1)].role == "image"


def test_unreadable_manifest_makes_the_graph_fail_closed() -> None:
    """An unknown media type (an Unreadable) is role unknown and the graph fails closed."""
    g = graph({1: ("v1",), 2: ()}, {1: image(), 2: Unreadable(reason="unknown media type")})
    assert g.nodes[d(2)].role == "unknown"
    assert g.fail_closed
    assert g.problems == {d(2): "unknown media type"}


def test_unread_manifest_also_fails_closed() -> None:
    """A version with no manifest given at all is treated as unreadable."""
    g = graph({1: ()}, {})
    assert g.fail_closed


def test_missing_manifest_is_reported_but_does_not_fail_closed() -> None:
    """A 404 manifest is a problem of that version, not a reason to stop every deletion."""
    g = graph({1: ("v1",)}, {1: Unreadable(reason="not found", missing=True)})
    assert not g.fail_closed
    assert [b.digest for b in broken_images(g)] == [d(1)]


def test_whole_images_are_not_broken() -> None:
    """A tagged index whose children and referrers all exist is not broken."""
    g = graph(
        {1: ("v1",), 2: (), 4: ()},
        {1: index(2, attestation_for={4: 2}), 2: image(), 4: image()},
    )
    assert broken_images(g) == []


def test_broken_image_names_each_missing_child() -> None:
    """A partial tagged image is broken, naming the missing child."""
    g = graph({1: ("v1",), 2: ()}, {1: index(2, 3), 2: image()})
    [broken] = broken_images(g)
    assert broken.tags == ("v1",)
    assert broken.problems == (f"{d(3)}: needed but not a version any more",)


def test_subject_referrer_without_artifact_type_is_classified_by_its_config() -> None:
    """A referrer with no artifactType takes its kind from the config media type."""
    referrer = ImageManifest(
        media_type=OCI_MANIFEST,
        config=Descriptor(media_type="application/vnd.in-toto+json", digest=d(902)),
        subject=Descriptor(digest=d(1)),
    )
    g = graph({1: ("v1",), 7: ()}, {1: image(), 7: referrer})
    assert g.nodes[d(7)].role == "attestation"


def test_unreadable_child_breaks_its_image() -> None:
    """A tagged index whose child manifest is unreadable is broken, naming why."""
    g = graph({1: ("v1",), 2: ()}, {1: index(2), 2: Unreadable(reason="HTTP 500")})
    [broken] = broken_images(g)
    assert broken.problems == (f"{d(2)}: HTTP 500",)
