"""The fake container registry: ``/v2/.../manifests/...`` and ``/token`` beside the fake API.

It serves the manifests of the store's container versions, as GHCR does:

- Auth is the Docker token flow: a request without a valid bearer token gets ``401`` with
  ``WWW-Authenticate: Bearer realm="<server>/token",service=...,scope=...``; ``GET /token``
  with HTTP Basic (any user name, a GitHub token the fake knows as password; none for
  public packages) answers ``{"token", "expires_in"}``. Tokens expire after
  :attr:`FakeRegistry.token_ttl_s` seconds of the server's clock.
- ``GET``/``HEAD`` by digest or tag answer a manifest only while its version is active.
- ``PUT`` under a tag stores the manifest, adds its version if new and moves the tag to it.
- ``DELETE`` answers ``405``: GHCR deletes only through the Packages API.

Manifests live in :attr:`Store.manifests` (``(owner, package, digest) -> (media type,
body)``); :func:`add_multiarch_image` fills it together with matching versions. This module
is written independently of the client (it never imports ``aiogh_packages._sansio``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from multidict import CIMultiDict

from .faults import RecordedRequest
from .store import Store
from .wire import Wire

__all__ = ["FakeRegistry", "MultiArchImage", "add_multiarch_demo", "add_multiarch_image"]

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_CONFIG = "application/vnd.oci.image.config.v1+json"
_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
_IN_TOTO = "application/vnd.in-toto+json"


@dataclass
class _Issued:
    repository: str
    expires_at: float


@dataclass
class FakeRegistry:
    """The registry half of :class:`~aiogh_packages.testing.FakeGitHub` (no I/O of its own).

    Attributes:
        token_ttl_s: Lifetime of the bearer tokens ``/token`` hands out.
        manifest_reads: ``GET`` requests answered with a manifest (each a "download").
        token_requests: Requests to ``/token``.
    """

    store: Store
    known_token: Callable[[str], bool]
    clock: Callable[[], float]
    token_ttl_s: float = 300.0
    manifest_reads: int = 0
    token_requests: int = 0
    _issued: dict[str, _Issued] = field(default_factory=dict)

    @staticmethod
    def serves(path: str) -> bool:
        """Whether ``path`` is the registry's (``/v2/...`` or ``/token``)."""
        return path == "/v2/" or path.startswith("/v2/") or path.startswith("/token")

    def expire_tokens(self) -> None:
        """Make every bearer token handed out so far invalid (the next request re-challenges)."""
        self._issued.clear()

    def answer(self, req: RecordedRequest, body: bytes) -> Wire:
        """The answer to a registry request whose body is ``body``."""
        origin = f"{urlsplit(req.url).scheme}://{urlsplit(req.url).netloc}"
        if req.path.startswith("/token"):
            return self._token(req)
        parts = req.path[len("/v2/") :].split("/manifests/")
        if len(parts) != 2 or "/" not in parts[0]:
            return _error(404, "NAME_UNKNOWN", "repository name not known to registry")
        repository, reference = parts
        grant = self._grant(req.headers.get("authorization", ""), repository)
        if grant is None:
            return _challenge(origin, repository)
        if req.method in ("GET", "HEAD"):
            return self._read(repository, reference, head=req.method == "HEAD")
        if req.method == "PUT":
            return self._put(repository, reference, req.headers.get("content-type", ""), body)
        if req.method == "DELETE":
            return _error(405, "UNSUPPORTED", "delete a version through the Packages API instead")
        return _error(405, "UNSUPPORTED", f"{req.method} is not supported")

    # -- tokens ---------------------------------------------------------------------------------

    def _token(self, req: RecordedRequest) -> Wire:
        self.token_requests += 1
        scope = parse_qs(urlsplit(req.url).query).get("scope", [""])[0]
        repository = scope.split(":")[1] if scope.count(":") >= 2 else ""
        password = _basic_password(req.headers.get("authorization", ""))
        if password is None and req.headers.get("authorization"):
            return _error(401, "UNAUTHORIZED", "basic authentication expected")
        if password is not None and not self.known_token(password):
            return _error(401, "UNAUTHORIZED", "bad credentials")
        if password is None and not self._is_public(repository):
            return _error(403, "DENIED", "requested access to the resource is denied")
        token = "rgt_" + secrets.token_hex(16)
        self._issued[token] = _Issued(repository, self.clock() + self.token_ttl_s)
        body = {"token": token, "expires_in": int(self.token_ttl_s)}
        return _json(200, body)

    def _grant(self, header: str, repository: str) -> _Issued | None:
        if not header.lower().startswith("bearer "):
            return None
        issued = self._issued.get(header[len("bearer ") :].strip())
        if issued is None or issued.repository != repository or issued.expires_at <= self.clock():
            return None
        return issued

    def _is_public(self, repository: str) -> bool:
        owner, _, name = repository.partition("/")
        package = self.store.package(owner, "container", name)
        return package is not None and package.visibility == "public"

    # -- manifests ------------------------------------------------------------------------------

    def _read(self, repository: str, reference: str, *, head: bool) -> Wire:
        owner, _, name = repository.partition("/")
        with self.store.lock:
            digest = self._resolve(owner, name, reference)
            found = self.store.manifests.get((owner, name, digest)) if digest else None
        if digest is None or found is None:
            return _error(404, "MANIFEST_UNKNOWN", "manifest unknown")
        media_type, body = found
        if not head:
            self.manifest_reads += 1
        headers = CIMultiDict({"Content-Type": media_type, "Docker-Content-Digest": digest})
        return Wire(200, headers, b"" if head else body)

    def _resolve(self, owner: str, name: str, reference: str) -> str | None:
        """The digest of the active version named or tagged ``reference``."""
        package = self.store.package(owner, "container", name)
        if package is None or package.state != "active":
            return None
        for version in package.listed_versions():
            if reference == version.name or reference in version.tags:
                return version.name
        return None

    def _put(self, repository: str, tag: str, media_type: str, body: bytes) -> Wire:
        owner, _, name = repository.partition("/")
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        with self.store.lock:
            package = self.store.package(owner, "container", name)
            if package is None or package.state != "active":
                return _error(404, "NAME_UNKNOWN", "repository name not known to registry")
            unknown = _blobs_of(body) - self._known_blobs(owner, name)
            if unknown:
                return _error(
                    400, "MANIFEST_BLOB_UNKNOWN", f"blob unknown to registry: {min(unknown)}"
                )
            self.store.manifests[(owner, name, digest)] = (media_type or OCI_MANIFEST, body)
            _move_tag(self.store, owner, name, tag, digest)
        headers = CIMultiDict(
            {"Location": f"/v2/{repository}/manifests/{digest}", "Docker-Content-Digest": digest}
        )
        return Wire(201, headers, b"")

    def _known_blobs(self, owner: str, name: str) -> set[str]:
        """The blobs this repository holds: those its stored manifests reference.

        The fake keeps no blob contents; a blob counts as pushed when a manifest already in
        the repository uses it, which is how it got there on a real registry.
        """
        known: set[str] = set()
        for (o, n, _), (_, stored) in self.store.manifests.items():
            if (o, n) == (owner, name):
                known |= _blobs_of(stored)
        return known


def _blobs_of(body: bytes) -> set[str]:
    """The config and layer digests an image manifest references (an index references none).

    A registry refuses a manifest PUT whose blobs it does not hold (``MANIFEST_BLOB_UNKNOWN``,
    https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests).
    """
    try:
        document = json.loads(body)
    except ValueError:
        return set()
    if not isinstance(document, dict):
        return set()
    parts = [document.get("config"), *(document.get("layers") or [])]
    return {str(p["digest"]) for p in parts if isinstance(p, dict) and "digest" in p}


def _move_tag(store: Store, owner: str, name: str, tag: str, digest: str) -> None:
    package = store.package(owner, "container", name)
    assert package is not None
    target = None
    for version in package.listed_versions():
        if tag in version.tags and version.name != digest:
            version.tags = tuple(t for t in version.tags if t != tag)
        if version.name == digest:
            target = version
    if target is None:
        target = store.add_version(owner, "container", name, digest)
    if tag not in target.tags and not tag.startswith("sha256:"):
        target.tags = (*target.tags, tag)


def _basic_password(header: str) -> str | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[len("basic ") :].strip()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None


def _json(status: int, body: object, headers: Mapping[str, str] | None = None) -> Wire:
    wire_headers = CIMultiDict({"Content-Type": "application/json", **(headers or {})})
    return Wire(status, wire_headers, json.dumps(body).encode())


def _error(status: int, code: str, message: str) -> Wire:
    return _json(status, {"errors": [{"code": code, "message": message}]})


def _challenge(origin: str, repository: str) -> Wire:
    host = urlsplit(origin).netloc
    value = f'Bearer realm="{origin}/token",service="{host}",scope="repository:{repository}:pull"'
    wire = _error(401, "UNAUTHORIZED", "authentication required")
    wire.headers["WWW-Authenticate"] = value
    return wire


# -- multi-arch test data ---------------------------------------------------------------------


@dataclass(frozen=True)
class MultiArchImage:
    """The digests :func:`add_multiarch_image` created: index, platforms and referrers."""

    index: str
    platforms: tuple[str, ...]
    attestations: tuple[str, ...]
    signature: str | None = None

    @property
    def all(self) -> tuple[str, ...]:
        """Every digest of the image, index first."""
        sig = (self.signature,) if self.signature else ()
        return (self.index, *self.platforms, *self.attestations, *sig)


def _put_manifest(store: Store, owner: str, package: str, document: dict[str, object]) -> str:
    body = json.dumps(document, sort_keys=True).encode()
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    store.manifests[(owner.lower(), package, digest)] = (str(document["mediaType"]), body)
    return digest


def _descriptor(media_type: str, seed: str, **extra: object) -> dict[str, object]:
    digest = "sha256:" + hashlib.sha256(seed.encode()).hexdigest()
    return {"mediaType": media_type, "digest": digest, "size": 100, **extra}


def _image(seed: str, *, layer: str = _LAYER, subject: str | None = None) -> dict[str, object]:
    doc: dict[str, object] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": _descriptor(_CONFIG, seed + "/config"),
        "layers": [_descriptor(layer, seed + "/layer")],
    }
    if subject is not None:
        doc["subject"] = {"mediaType": OCI_INDEX, "digest": subject, "size": 100}
        doc["artifactType"] = "application/vnd.dev.cosign.artifact.sig.v1+json"
    return doc


def add_multiarch_image(
    store: Store,
    owner: str,
    package: str,
    *,
    tags: tuple[str, ...],
    platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64"),
    attestation: bool = True,
    signature: bool = False,
    created_at: datetime | None = None,
) -> MultiArchImage:
    """Add a buildx-style image to ``store`` as container versions with matching manifests.

    An index tagged ``tags``, one untagged manifest per platform, one buildx attestation
    (platform ``unknown/unknown``) for the first platform, and optionally a cosign signature
    tagged ``sha256-<index hex>.sig``. The package is created if missing.
    """
    with store.lock:
        if store.package(owner, "container", package) is None:
            store.add_package(owner, "container", package)
        seed = f"{owner}/{package}:{','.join(tags)}:{created_at}"
        entries, children, proofs = [], [], []
        for platform in platforms:
            os_name, _, arch = platform.partition("/")
            digest = _put_manifest(store, owner, package, _image(f"{seed}/{platform}"))
            children.append(digest)
            entries.append(_entry(digest, {"os": os_name, "architecture": arch}))
        if attestation and children:
            digest = _put_manifest(store, owner, package, _image(f"{seed}/att", layer=_IN_TOTO))
            proofs.append(digest)
            notes = {
                "vnd.docker.reference.digest": children[0],
                "vnd.docker.reference.type": "attestation-manifest",
            }
            entries.append(_entry(digest, {"os": "unknown", "architecture": "unknown"}, notes))
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
        index_digest = _put_manifest(store, owner, package, index)
        for digest in (*children, *proofs):
            store.add_version(owner, "container", package, digest, created_at=created_at)
        store.add_version(
            owner, "container", package, index_digest, tags=tags, created_at=created_at
        )
        sig = None
        if signature:
            sig = _put_manifest(store, owner, package, _image(f"{seed}/sig"))
            sig_tag = index_digest.replace(":", "-") + ".sig"
            store.add_version(
                owner, "container", package, sig, tags=(sig_tag,), created_at=created_at
            )
    return MultiArchImage(index_digest, tuple(children), tuple(proofs), sig)


def _entry(
    digest: str, platform: dict[str, str], annotations: dict[str, str] | None = None
) -> dict[str, object]:
    entry: dict[str, object] = {
        "mediaType": OCI_MANIFEST,
        "digest": digest,
        "size": 100,
        "platform": platform,
    }
    if annotations:
        entry["annotations"] = annotations
    return entry


def add_multiarch_demo(
    store: Store, owner: str, package: str = "web-app"
) -> dict[str, MultiArchImage]:
    """Demo images in ``owner``'s container ``package``: two good, one ghost, one partial.

    ``v1`` (signed) and ``v2`` are whole; ``ghost`` lost all its platform versions;
    ``partial`` lost its arm64 manifest. Returns the images by their first tag.
    """
    images = {
        "v1": add_multiarch_image(store, owner, package, tags=("v1", "latest"), signature=True),
        "v2": add_multiarch_image(store, owner, package, tags=("v2",)),
        "ghost": add_multiarch_image(store, owner, package, tags=("ghost",), attestation=False),
        "partial": add_multiarch_image(store, owner, package, tags=("partial",)),
    }
    _drop_versions(store, owner, package, images["ghost"].platforms)
    _drop_versions(store, owner, package, images["partial"].platforms[1:])
    return images


def _drop_versions(store: Store, owner: str, package: str, digests: tuple[str, ...]) -> None:
    record = store.package(owner, "container", package)
    assert record is not None
    for version in list(record.versions.values()):
        if version.name in digests and version.state == "active":
            store.delete_version(owner, "container", package, version.id)
