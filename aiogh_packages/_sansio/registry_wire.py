"""The container registry's wire rules: repository paths, auth challenges, manifests, retries.

Does no I/O. It owns what the registry client must get exactly right:

- Repository paths. GHCR names a package ``ghcr.io/<owner>/<package>``: the owner is
  lower-cased, and a package name with ``/`` (``tools/web-app``) is a nested repository path
  whose ``/`` stay literal. A name copied from an API URL, where ``/`` is sent as ``%2F``
  (https://docs.github.com/en/rest/packages/packages), is decoded once first. The result
  must match the OCI distribution grammar for repository names
  (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests),
  which admits only ``[a-z0-9._/-]``; no byte of it ever needs percent-encoding, so none is
  emitted, and anything else (upper case, ``%``, ``..``) is refused before any request.
- The Docker token flow (https://distribution.github.io/distribution/spec/auth/token/): a
  ``401`` carries ``WWW-Authenticate: Bearer realm=...,service=...,scope=...``; the realm
  answers ``{"token": ..., "expires_in": ...}`` (60 s when omitted, per that spec).
- Manifests: the four ``Accept`` media types and a decoder that dispatches on ``mediaType``
  (or the ``Content-Type`` header); an unknown media type is an error, so callers fail closed.
- Retries: 5xx and connection faults back off; 429 waits ``Retry-After``; other 4xx do not retry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit

import msgspec

__all__ = [
    "ACCEPT",
    "DOCKER_LIST",
    "DOCKER_MANIFEST",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "Challenge",
    "Descriptor",
    "ImageIndex",
    "ImageManifest",
    "Manifest",
    "Platform",
    "RegistryToken",
    "decode_manifest",
    "default_registry_url",
    "manifest_path",
    "parse_challenge",
    "parse_token",
    "repository_path",
    "retry_after_s",
    "should_retry",
]

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
ACCEPT = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))
"""The ``Accept`` header of a manifest read: every index and image manifest type."""

_INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
_MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
_PARAM = re.compile(r'(\w+)="([^"]*)"')
_DEFAULT_EXPIRY_S = 60.0
_RETRY_STATUSES = frozenset({500, 502, 503, 504})


class Platform(msgspec.Struct, frozen=True, kw_only=True):
    """Where an index entry runs: ``os``/``architecture`` (``unknown`` for attestations)."""

    os: str = ""
    architecture: str = ""
    variant: str | None = None


class Descriptor(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A content descriptor: what a manifest points at (config, layer, child, subject)."""

    media_type: str = ""
    digest: str
    size: int = 0
    platform: Platform | None = None
    artifact_type: str | None = None
    annotations: dict[str, str] = msgspec.field(default_factory=dict)


class ImageIndex(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """An OCI image index or Docker manifest list: one child manifest per platform."""

    media_type: str = ""
    manifests: tuple[Descriptor, ...] = ()
    subject: Descriptor | None = None
    artifact_type: str | None = None
    annotations: dict[str, str] = msgspec.field(default_factory=dict)


class ImageManifest(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """An OCI image manifest or Docker v2 manifest (an image, attestation or signature)."""

    media_type: str = ""
    config: Descriptor | None = None
    layers: tuple[Descriptor, ...] = ()
    subject: Descriptor | None = None
    artifact_type: str | None = None
    annotations: dict[str, str] = msgspec.field(default_factory=dict)


Manifest = ImageIndex | ImageManifest


class _Probe(msgspec.Struct, rename="camel"):
    media_type: str = ""


_PROBE = msgspec.json.Decoder(_Probe)
_INDEX = msgspec.json.Decoder(ImageIndex)
_IMAGE = msgspec.json.Decoder(ImageManifest)


def decode_manifest(body: bytes, content_type: str = "") -> Manifest:
    """The manifest in ``body``, by its ``mediaType`` (else the ``Content-Type`` header).

    Raises:
        msgspec.DecodeError: the body is not JSON of the media type's shape.
        ValueError: the media type is none of the four :data:`ACCEPT` lists.
    """
    media_type = _PROBE.decode(body).media_type or content_type.split(";")[0].strip()
    if media_type in _INDEX_TYPES:
        return msgspec.structs.replace(_INDEX.decode(body), media_type=media_type)
    if media_type in _MANIFEST_TYPES:
        return msgspec.structs.replace(_IMAGE.decode(body), media_type=media_type)
    raise ValueError(f"unknown manifest media type {media_type!r}; expected one of: {ACCEPT}")


def repository_path(owner: str, package: str) -> str:
    """``<owner>/<package>`` as a registry repository path (rules in the module docstring).

    Raises:
        ValueError: the result is not a valid repository name.
    """
    name = unquote(package) if "%" in package else package
    path = f"{owner.lower()}/{name}"
    if not owner or not name or not _REPOSITORY.fullmatch(path):
        raise ValueError(
            f"owner {owner!r} and package {package!r} do not form a registry repository name; "
            "accepted: lower-case letters, digits and '._-' separators, '/' between components"
        )
    return path


def manifest_path(repository: str, reference: str) -> str:
    """``/v2/<repository>/manifests/<digest-or-tag>``; a bad ``reference`` raises ``ValueError``."""
    if not (_DIGEST.fullmatch(reference) or _TAG.fullmatch(reference)):
        raise ValueError(
            f"reference {reference!r} is neither a digest (algorithm:hex) nor a tag "
            "([A-Za-z0-9_][A-Za-z0-9._-]{0,127})"
        )
    return f"/v2/{repository}/manifests/{reference}"


def default_registry_url(base_url: str) -> str:
    """The registry beside the API at ``base_url``.

    ``https://api.github.com`` -> ``https://ghcr.io``; GHES ``https://HOST/api/v3`` ->
    ``https://containers.HOST`` (https://docs.github.com/en/enterprise-server@latest/packages/
    working-with-a-github-packages-registry/working-with-the-container-registry); any other
    base URL (a fake server) is taken to serve the registry on its own origin.
    """
    parts = urlsplit(base_url.rstrip("/"))
    if parts.netloc.lower() == "api.github.com":
        return "https://ghcr.io"
    if parts.path.rstrip("/") == "/api/v3":
        return f"{parts.scheme}://containers.{parts.netloc}"
    return f"{parts.scheme}://{parts.netloc}"


class Challenge(msgspec.Struct, frozen=True, kw_only=True):
    """A ``Bearer`` challenge: where to get a token, for which service and scope."""

    realm: str
    service: str | None = None
    scope: str | None = None


def parse_challenge(header: str | None) -> Challenge | None:
    """The ``Bearer`` challenge of a ``WWW-Authenticate`` value; None when there is none."""
    if not header or not header.strip().lower().startswith("bearer "):
        return None
    params = {key.lower(): value for key, value in _PARAM.findall(header)}
    if not params.get("realm"):
        return None
    return Challenge(
        realm=params["realm"], service=params.get("service"), scope=params.get("scope")
    )


class RegistryToken(msgspec.Struct, frozen=True, kw_only=True):
    """A bearer token from the realm and the epoch second it stops being used."""

    token: str
    expires_at: float

    def __repr__(self) -> str:
        return f"RegistryToken(token='***', expires_at={self.expires_at!r})"

    def is_fresh(self, now: float) -> bool:
        """Whether the token may still be sent at epoch second ``now`` (5 s of margin)."""
        return now < self.expires_at - 5.0


class _TokenBody(msgspec.Struct):
    token: str = ""
    access_token: str = ""
    expires_in: float = _DEFAULT_EXPIRY_S


_TOKEN = msgspec.json.Decoder(_TokenBody)


def parse_token(body: bytes, now: float) -> RegistryToken:
    """The realm's answer as a token that expires ``expires_in`` seconds after ``now``.

    Raises:
        msgspec.DecodeError: the body is not a token object.
        ValueError: it holds no token.
    """
    answer = _TOKEN.decode(body)
    token = answer.token or answer.access_token
    if not token:
        raise ValueError("the token endpoint answered without a token")
    return RegistryToken(token=token, expires_at=now + max(answer.expires_in, 0.0))


def retry_after_s(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds ``Retry-After`` (delta seconds or an HTTP date) asks to wait; None if absent."""
    value = headers.get("retry-after")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return None


def should_retry(status: int | None, attempt: int, max_attempts: int) -> bool:
    """Whether to send again after ``attempt`` sends: a fault (``None``), 429 or a 5xx."""
    if attempt >= max_attempts:
        return False
    return status is None or status == 429 or status in _RETRY_STATUSES
