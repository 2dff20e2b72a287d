"""The image graph of a container package: which versions make up which image.

Does no I/O. The Packages API lists every manifest of a container package as a version
(its name is the manifest digest; only the top-level manifest carries tags). Given those
versions and the manifests read from the registry, :func:`build_graph` finds for each
version its parents (an index lists its children in ``manifests[].digest``; a child may have
several parents), its referrers, and its role:

- ``image``: a top-level manifest or index (tagged, or untagged with no parent);
- ``platform``: a child of an index that exists as a version;
- ``attestation``: a buildx attestation (an index entry with platform ``unknown/unknown``
  and a ``vnd.docker.reference.digest`` annotation), a cosign ``sha256-<hex>.att``/``.sbom``
  tag, or an OCI 1.1 ``subject`` referrer that is not a signature;
- ``signature``: a cosign ``sha256-<hex>.sig`` tag or a ``subject`` referrer whose
  ``artifactType`` names a signature;
- ``orphan``: an attestation or signature whose subject is not a version any more, or an
  untagged manifest made only of in-toto layers with no parent;
- ``ghost``: an index none of whose children exist as versions; ``partial``: some missing;
- ``unknown``: the manifest could not be read or understood.

Fail closed: an :class:`Unreadable` manifest (other than a 404) makes
:attr:`ImageGraph.fail_closed` true, so a planner must not delete untagged versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

import msgspec

from .registry_wire import ImageIndex, ImageManifest, Manifest

__all__ = [
    "BrokenImage",
    "ImageGraph",
    "ImageVersion",
    "Node",
    "Role",
    "Unreadable",
    "broken_images",
    "build_graph",
]

Role = Literal[
    "image", "platform", "attestation", "signature", "orphan", "ghost", "partial", "unknown"
]
TOP_LEVEL: frozenset[str] = frozenset({"image", "ghost", "partial"})

_COSIGN = re.compile(r"(sha256)-([0-9a-f]{64})\.(sig|att|sbom)")
_REF_DIGEST = "vnd.docker.reference.digest"
_IN_TOTO = "application/vnd.in-toto+json"


class ImageVersion(msgspec.Struct, frozen=True, kw_only=True):
    """One container version as the Packages API lists it: digest (its name) and tags."""

    digest: str
    tags: tuple[str, ...] = ()
    id: int | None = None


class Unreadable(msgspec.Struct, frozen=True, kw_only=True):
    """A manifest that could not be used: ``missing`` for a 404, else why it failed."""

    reason: str
    missing: bool = False


class Node(msgspec.Struct, frozen=True, kw_only=True):
    """A version in the graph: its role and its links to other versions (by digest)."""

    digest: str
    tags: tuple[str, ...]
    role: Role
    parents: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    missing_children: tuple[str, ...] = ()
    subject: str | None = None
    referrers: tuple[str, ...] = ()
    problem: str | None = None


class ImageGraph(msgspec.Struct, frozen=True, kw_only=True):
    """Every version of one container package, by digest, with roles and links."""

    nodes: dict[str, Node]

    @property
    def problems(self) -> dict[str, str]:
        """Digest -> why its manifest is unusable, for every ``unknown`` version."""
        return {d: n.problem for d, n in self.nodes.items() if n.problem is not None}

    @property
    def fail_closed(self) -> bool:
        """True when a manifest failed other than by a 404: untagged deletion is unsafe."""
        return any(n.role == "unknown" for n in self.nodes.values())

    def tagged_images(self) -> list[Node]:
        """Top-level versions with at least one tag, in digest order."""
        return sorted(
            (n for n in self.nodes.values() if n.role in TOP_LEVEL and n.tags),
            key=lambda n: n.digest,
        )

    def needs(self, digest: str) -> set[str]:
        """Every digest ``digest`` needs: children (transitively) and referrers of them all."""
        seen: set[str] = set()
        todo = [digest]
        while todo:
            node = self.nodes.get(todo.pop())
            if node is None:
                continue
            for linked in (*node.children, *node.missing_children, *node.referrers):
                if linked not in seen and linked != digest:
                    seen.add(linked)
                    todo.append(linked)
        return seen


def _cosign_subject(tags: Iterable[str]) -> tuple[str, str] | None:
    for tag in tags:
        if match := _COSIGN.fullmatch(tag):
            return f"{match[1]}:{match[2]}", match[3]
    return None


def _links(
    versions: Mapping[str, ImageVersion], manifests: Mapping[str, Manifest | Unreadable]
) -> tuple[dict[str, list[str]], dict[str, str], set[str]]:
    """Parents of each child, subject of each referrer, and buildx attestation digests."""
    parents: dict[str, list[str]] = {}
    subjects: dict[str, str] = {}
    attestations: set[str] = set()
    for digest, version in versions.items():
        manifest = manifests.get(digest)
        cosign = _cosign_subject(version.tags)
        if cosign is not None:
            subjects[digest] = cosign[0]
        if isinstance(manifest, ImageIndex | ImageManifest) and manifest.subject is not None:
            subjects[digest] = manifest.subject.digest
        if not isinstance(manifest, ImageIndex):
            continue
        for entry in manifest.manifests:
            parents.setdefault(entry.digest, []).append(digest)
            if _REF_DIGEST in entry.annotations and (
                entry.platform is not None and entry.platform.os == "unknown"
            ):
                attestations.add(entry.digest)
                subjects.setdefault(entry.digest, entry.annotations[_REF_DIGEST])
    return parents, subjects, attestations


def _referrer_role(version: ImageVersion, manifest: Manifest | Unreadable | None) -> Role:
    cosign = _cosign_subject(version.tags)
    if cosign is not None:
        return "signature" if cosign[1] == "sig" else "attestation"
    kind = getattr(manifest, "artifact_type", None) or ""
    if isinstance(manifest, ImageManifest) and manifest.config is not None and not kind:
        kind = manifest.config.media_type
    return "signature" if "sig" in kind.lower() else "attestation"


def _is_in_toto(manifest: Manifest | Unreadable | None) -> bool:
    return (
        isinstance(manifest, ImageManifest)
        and bool(manifest.layers)
        and all(layer.media_type == _IN_TOTO for layer in manifest.layers)
    )


def _role(
    version: ImageVersion,
    manifest: Manifest | Unreadable | None,
    parents: list[str],
    subject: str | None,
    is_attestation: bool,
    versions: Mapping[str, ImageVersion],
) -> Role:
    if manifest is None or (isinstance(manifest, Unreadable) and not manifest.missing):
        return "unknown"
    if subject is not None or is_attestation:
        if subject not in versions and not parents:
            return "orphan"
        return "attestation" if is_attestation else _referrer_role(version, manifest)
    if parents:
        return "platform"
    if not version.tags and _is_in_toto(manifest):
        return "orphan"
    if isinstance(manifest, ImageIndex) and manifest.manifests:
        present = sum(1 for e in manifest.manifests if e.digest in versions)
        if present == 0:
            return "ghost"
        if present < len(manifest.manifests):
            return "partial"
    return "image"


def build_graph(
    versions: Iterable[ImageVersion], manifests: Mapping[str, Manifest | Unreadable]
) -> ImageGraph:
    """The graph of ``versions`` given each one's manifest (by digest).

    A version with no entry in ``manifests`` is treated like an unreadable one (fail closed).
    """
    by_digest = {v.digest: v for v in versions}
    parents, subjects, attestations = _links(by_digest, manifests)
    referrers: dict[str, list[str]] = {}
    for referrer, subject in subjects.items():
        referrers.setdefault(subject, []).append(referrer)
    nodes: dict[str, Node] = {}
    for digest, version in by_digest.items():
        manifest = manifests.get(digest)
        own_parents = [p for p in parents.get(digest, ()) if p in by_digest]
        entries = manifest.manifests if isinstance(manifest, ImageIndex) else ()
        problem = manifest.reason if isinstance(manifest, Unreadable) else None
        nodes[digest] = Node(
            digest=digest,
            tags=version.tags,
            role=_role(
                version,
                manifest,
                own_parents,
                subjects.get(digest),
                digest in attestations,
                by_digest,
            ),
            parents=tuple(sorted(own_parents)),
            children=tuple(e.digest for e in entries if e.digest in by_digest),
            missing_children=tuple(e.digest for e in entries if e.digest not in by_digest),
            subject=subjects.get(digest),
            referrers=tuple(sorted(r for r in referrers.get(digest, ()) if r in by_digest)),
            problem=problem if manifest is not None else "manifest not read",
        )
    return ImageGraph(nodes=nodes)


class BrokenImage(msgspec.Struct, frozen=True, kw_only=True):
    """A tagged image that can no longer be pulled whole, and why."""

    digest: str
    tags: tuple[str, ...]
    problems: tuple[str, ...]


def _problems_of(graph: ImageGraph, image: Node) -> list[str]:
    problems = [f"{image.digest}: {image.problem}"] if image.problem else []
    for digest in sorted(graph.needs(image.digest)):
        node = graph.nodes.get(digest)
        if node is None:
            problems.append(f"{digest}: needed but not a version any more")
        elif node.problem is not None:
            problems.append(f"{digest}: {node.problem}")
    return problems


def broken_images(graph: ImageGraph) -> list[BrokenImage]:
    """Every tagged image whose own manifest, children or referrers are missing or unreadable."""
    broken = []
    for image in graph.tagged_images():
        problems = _problems_of(graph, image)
        if problems:
            broken.append(
                BrokenImage(digest=image.digest, tags=image.tags, problems=tuple(problems))
            )
    return broken
