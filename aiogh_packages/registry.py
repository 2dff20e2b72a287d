"""``RegistryClient``: reads container manifests from the registry beside the API (ghcr.io).

A sibling of :class:`~aiogh_packages.PackagesClient` with the same transport rules:

- The GitHub token goes only to the registry origin (``registry_url``): it is exchanged
  there for a bearer token (the Docker token flow, see :mod:`._sansio.registry_wire`); a
  realm on another origin is refused (:class:`~aiogh_packages.UnsafeURLError`), and a
  redirect to another origin (blob storage) is followed without any ``Authorization``.
- 5xx answers and connection faults are retried with exponential backoff (``backoff``'s
  ``expo`` with full jitter); a 429 waits its ``Retry-After``; every wait goes through the
  injectable ``sleep``. At most ``max_concurrency`` manifest reads are in flight.
- Tokens never appear in logs, reprs or exception text.

The sending itself lives in :mod:`._registry_http`; this module owns names, caching and decoding.

Manifests are immutable by digest, and on GHCR every manifest read counts as a package
download, so each digest is read once: kept in memory, and in ``manifest_cache_dir`` on
disk (one ``<algorithm>-<hex>.json`` file per digest) when given, across runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

import aiohttp
import msgspec

from ._registry_http import RegistryTransport, registry_error
from ._sansio import registry_wire as wire
from ._sansio.images import Unreadable
from ._sansio.urls import redact_url
from .errors import DecodeError, NotFoundError, PackagesError
from .events import Clock, Sleep
from .owner import Owner

__all__ = ["RegistryClient"]


class RegistryClient:
    """Reads manifests by digest from a container registry (``https://ghcr.io`` by default).

    Args:
        token: The GitHub token (``read:packages``); ``None`` reads public images only.
        registry_url: The registry origin. :meth:`for_api` derives it from an API base URL.
        session: An aiohttp session to borrow (left open); by default one is opened and
            closed by :meth:`aclose`.
        max_concurrency: The most manifest reads in flight at once.
        max_attempts: Sends per request before a 5xx, 429 or fault is raised.
        max_wait_s: The longest ``Retry-After`` honoured; a longer one raises at once.
        manifest_cache_dir: A directory keeping manifests across runs (created if missing).
        sleep: Coroutine used for every wait (tests pass one that does not sleep).
        clock: Epoch seconds now (token expiry, ``Retry-After`` dates).
    """

    def __init__(
        self,
        *,
        token: str | None,
        registry_url: str = "https://ghcr.io",
        session: aiohttp.ClientSession | None = None,
        max_concurrency: int = 4,
        max_attempts: int = 4,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        max_wait_s: float = 120.0,
        timeout_s: float = 30.0,
        manifest_cache_dir: str | os.PathLike[str] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.time,
    ) -> None:
        if max_concurrency < 1 or max_attempts < 1:
            raise ValueError(
                f"max_concurrency ({max_concurrency}) and max_attempts ({max_attempts}) "
                "must be at least 1"
            )
        self.registry_url = registry_url.rstrip("/")
        if not self.registry_url.startswith(("https://", "http://")):
            raise ValueError(f"registry_url {registry_url!r} must be an http(s) URL")
        self._http = RegistryTransport(
            registry_url=self.registry_url,
            token=token,
            session=session,
            max_attempts=max_attempts,
            max_wait_s=max_wait_s,
            backoff_s=(backoff_base_s, backoff_max_s),
            timeout_s=timeout_s,
            sleep=sleep,
            clock=clock,
        )
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._cache_dir = Path(manifest_cache_dir) if manifest_cache_dir is not None else None
        self._manifests: dict[str, wire.Manifest] = {}
        self.manifest_reads = 0
        """How many manifests were fetched from the network (cache hits excluded)."""

    @classmethod
    def for_api(cls, base_url: str, *, token: str | None, **options: object) -> RegistryClient:
        """A client for the registry beside the API at ``base_url`` (ghcr.io for github.com)."""
        return cls(token=token, registry_url=wire.default_registry_url(base_url), **options)  # type: ignore[arg-type]  # options are this constructor's keywords

    def __repr__(self) -> str:
        return f"RegistryClient(registry_url={self.registry_url!r})"

    async def aclose(self) -> None:
        """Close the session if this client opened it."""
        await self._http.close()

    async def __aenter__(self) -> RegistryClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- manifests ------------------------------------------------------------------------------

    async def get_manifest(self, owner: Owner | str, package: str, digest: str) -> wire.Manifest:
        """The manifest ``digest`` of ``owner``'s container ``package`` (from cache if read before).

        Raises:
            ValueError: a bad owner, package name or digest (before any request).
            NotFoundError: the registry has no such manifest.
            DecodeError: the body is not a manifest of a known media type, or does not
                hash to ``digest``.
            PackagesError: any other failure, after the retries.
        """
        repository = wire.repository_path(_login(owner), package)
        path = wire.manifest_path(repository, digest)
        cached = self._manifests.get(digest) or self._from_disk(digest)
        if cached is not None:
            self._manifests[digest] = cached
            return cached
        url = self.registry_url + path
        async with self._semaphore:
            status, headers, body, final = await self._http.get(url, repository)
        self.manifest_reads += 1
        if status != 200:
            raise registry_error(status, headers, body, redact_url(final), 1)
        manifest = _decode(body, headers.get("content-type", ""), digest, final)
        self._manifests[digest] = manifest
        self._to_disk(digest, manifest)
        return manifest

    async def get_manifests(
        self, owner: Owner | str, package: str, digests: Iterable[str]
    ) -> dict[str, wire.Manifest | Unreadable]:
        """Each digest's manifest, or an :class:`Unreadable` saying why not (fail closed).

        Reads run concurrently (at most ``max_concurrency``); the result is keyed by digest.
        Caller mistakes (a bad name) still raise ``ValueError``.
        """
        wanted = list(dict.fromkeys(digests))
        for digest in wanted:
            wire.manifest_path(wire.repository_path(_login(owner), package), digest)
        answers = await asyncio.gather(*(self._try_manifest(owner, package, d) for d in wanted))
        return dict(zip(wanted, answers, strict=True))

    async def _try_manifest(
        self, owner: Owner | str, package: str, digest: str
    ) -> wire.Manifest | Unreadable:
        try:
            return await self.get_manifest(owner, package, digest)
        except NotFoundError as exc:
            return Unreadable(reason=f"manifest not found: {exc}", missing=True)
        except PackagesError as exc:
            return Unreadable(reason=str(exc))

    async def get_manifest_bytes(
        self, owner: Owner | str, package: str, digest: str
    ) -> tuple[str, bytes]:
        """The manifest ``digest`` exactly as stored: (media type, body), always from the network.

        An untag keeps these bytes in its journal, so that undo can put the very same manifest
        (the same digest) back under the tag. The body is checked against ``digest``.

        Raises:
            ValueError, NotFoundError, DecodeError, PackagesError: as :meth:`get_manifest`.
        """
        repository = wire.repository_path(_login(owner), package)
        url = self.registry_url + wire.manifest_path(repository, digest)
        async with self._semaphore:
            status, headers, body, final = await self._http.get(url, repository)
        self.manifest_reads += 1
        if status != 200:
            raise registry_error(status, headers, body, redact_url(final), 1)
        manifest = _decode(body, headers.get("content-type", ""), digest, final)
        return headers.get("content-type") or manifest.media_type, body

    async def put_manifest(
        self, owner: Owner | str, package: str, tag: str, body: bytes, media_type: str
    ) -> str:
        """Upload ``body`` under ``tag`` (the tag moves to it); returns the manifest's digest.

        The registry stores a manifest under a tag with a PUT
        (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests);
        on GHCR the new digest then shows as a new version of the package.

        Raises:
            ValueError: a bad owner, package name or tag (before any request).
            PackagesError: the registry refused it (after the retries).
        """
        repository = wire.repository_path(_login(owner), package)
        url = self.registry_url + wire.manifest_path(repository, tag)
        status, headers, answer, final = await self._http.send(url, repository, (media_type, body))
        if status not in (200, 201):
            raise registry_error(status, headers, answer, redact_url(final), 1)
        return "sha256:" + hashlib.sha256(body).hexdigest()

    # -- the manifest cache on disk -------------------------------------------------------------

    def _cache_file(self, digest: str) -> Path | None:
        if self._cache_dir is None:
            return None
        return self._cache_dir / (digest.replace(":", "-") + ".json")

    def _from_disk(self, digest: str) -> wire.Manifest | None:
        path = self._cache_file(digest)
        if path is None or not path.is_file():
            return None
        try:
            return wire.decode_manifest(path.read_bytes())
        except (msgspec.DecodeError, ValueError):
            return None  # a damaged cache file is read again from the registry

    def _to_disk(self, digest: str, manifest: wire.Manifest) -> None:
        path = self._cache_file(digest)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_bytes(msgspec.json.encode(manifest))
        partial.replace(path)

    # -- transport ------------------------------------------------------------------------------


def _login(owner: Owner | str) -> str:
    name = owner if isinstance(owner, str) else owner.name
    if not name:
        raise ValueError(
            f"owner {owner!r} has no login; the registry needs one: pass Owner.user(login)"
        )
    return name


def _decode(body: bytes, content_type: str, digest: str, url: str) -> wire.Manifest:
    algorithm, _, expected = digest.partition(":")
    if algorithm == "sha256" and hashlib.sha256(body).hexdigest() != expected:
        raise DecodeError(
            f"manifest body does not hash to {digest}",
            endpoint="GET /v2/{name}/manifests/{digest}",
            method="GET",
            url=redact_url(url),
        )
    try:
        return wire.decode_manifest(body, content_type)
    except (msgspec.DecodeError, ValueError) as exc:
        raise DecodeError(
            f"not a readable manifest: {exc}",
            endpoint="GET /v2/{name}/manifests/{digest}",
            method="GET",
            url=redact_url(url),
        ) from None
