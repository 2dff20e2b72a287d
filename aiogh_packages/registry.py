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

Manifests are immutable by digest, and on GHCR every manifest read counts as a package
download, so each digest is read once: kept in memory, and in ``manifest_cache_dir`` on
disk (one ``<algorithm>-<hex>.json`` file per digest) when given, across runs.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

import aiohttp
import backoff
import msgspec
from yarl import URL

from ._sansio import registry_wire as wire
from ._sansio.images import Unreadable
from ._sansio.urls import origin_problem, redact_url, same_origin
from ._version import __version__
from .errors import (
    APIError,
    AuthError,
    DecodeError,
    ForbiddenError,
    NotFoundError,
    PackagesError,
    RateLimitError,
    ServerError,
    TransportError,
    UnsafeURLError,
)
from .events import Clock, Sleep
from .owner import Owner

__all__ = ["RegistryClient"]

logger = logging.getLogger("aiogh_packages")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
_Answer = tuple[int, dict[str, str], bytes, str]


class _RegistryErrors(msgspec.Struct):
    errors: list[dict[str, object]] = msgspec.field(default_factory=list)


def _registry_message(body: bytes) -> str | None:
    try:
        errors = msgspec.json.decode(body, type=_RegistryErrors).errors
    except msgspec.DecodeError:
        return None
    return str(errors[0].get("message") or errors[0].get("code")) if errors else None


def _error(status: int, headers: dict[str, str], body: bytes, url: str, attempts: int) -> APIError:
    kind: type[APIError] = {401: AuthError, 403: ForbiddenError, 404: NotFoundError}.get(
        status, ServerError if status >= 500 else APIError
    )
    return kind(
        status,
        github_message=_registry_message(body),
        headers=headers,
        method="GET",
        url=redact_url(url),
        attempts=attempts,
    )


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
        self._token = token
        self._session, self._owns_session = session, session is None
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._max_attempts, self._max_wait_s = max_attempts, max_wait_s
        self._backoff = (backoff_base_s, backoff_max_s)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._cache_dir = Path(manifest_cache_dir) if manifest_cache_dir is not None else None
        self._sleep, self._clock = sleep, clock
        self._bearer: dict[str, wire.RegistryToken] = {}
        self._exchanging = asyncio.Lock()
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
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

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
            status, headers, body, final = await self._get(url, repository)
        self.manifest_reads += 1
        if status != 200:
            raise _error(status, headers, body, redact_url(final), 1)
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

    async def _get(self, url: str, repository: str) -> _Answer:
        """GET ``url`` with the repository's bearer token, re-challenging once on a 401."""
        used = self._auth(repository)
        answer = await self._send_retrying(url, used)
        if answer[0] != 401:
            return answer
        challenge = wire.parse_challenge(answer[1].get("www-authenticate"))
        if challenge is None:
            return answer
        async with self._exchanging:  # one exchange when concurrent reads are challenged
            if self._auth(repository) == used:
                await self._exchange(challenge, repository)
        return await self._send_retrying(url, self._auth(repository))

    def _auth(self, repository: str) -> dict[str, str]:
        bearer = self._bearer.get(repository)
        if bearer is None or not bearer.is_fresh(self._clock()):
            return {}
        return {"Authorization": f"Bearer {bearer.token}"}

    async def _exchange(self, challenge: wire.Challenge, repository: str) -> None:
        """Trade the GitHub token for a bearer token at the challenge's realm."""
        problem = origin_problem(challenge.realm, self.registry_url, "token realm")
        if problem is not None:
            raise UnsafeURLError(problem, method="GET", url=redact_url(challenge.realm))
        query = {"scope": challenge.scope or f"repository:{repository}:pull"}
        if challenge.service:
            query["service"] = challenge.service
        realm = str(URL(challenge.realm).update_query(query))
        headers = {}
        if self._token is not None:
            # HTTP Basic with any user name and the GitHub token as password (RFC 7617).
            pair = base64.b64encode(f"aiogh-packages:{self._token}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        status, answer_headers, body, final = await self._send_retrying(realm, headers)
        if status != 200:
            raise _error(status, answer_headers, body, realm, 1)
        try:
            self._bearer[repository] = wire.parse_token(body, self._clock())
        except (msgspec.DecodeError, ValueError) as exc:
            raise DecodeError(
                f"token endpoint answer is not a token: {exc}",
                endpoint="GET {realm}",
                method="GET",
                url=redact_url(final),
            ) from None

    async def _send_retrying(self, url: str, auth: Mapping[str, str]) -> _Answer:
        delays = self._delays()
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._send_following(url, auth)
            except TransportError:
                if not wire.should_retry(None, attempt, self._max_attempts):
                    raise
                delay = next(delays)
            else:
                status = answer[0]
                if not wire.should_retry(status, attempt, self._max_attempts):
                    if status == 429 or status >= 500:
                        raise self._final_error(answer, attempt)
                    return answer
                delay = self._wait_for(answer, attempt, delays)
            logger.info(
                "retrying GET %s (attempt %d); waiting %.2f s", redact_url(url), attempt, delay
            )
            await self._sleep(delay)

    def _wait_for(self, answer: _Answer, attempt: int, delays: Iterator[float]) -> float:
        status, headers = answer[0], answer[1]
        if status != 429:
            return next(delays)
        wait = wire.retry_after_s(headers, self._clock())
        if wait is None:
            return next(delays)
        if wait > self._max_wait_s:
            raise self._final_error(answer, attempt)
        return wait

    def _final_error(self, answer: _Answer, attempt: int) -> APIError:
        status, headers, body, url = answer
        if status != 429:
            return _error(status, headers, body, url, attempt)
        wait = wire.retry_after_s(headers, self._clock()) or 0.0
        return RateLimitError(
            429,
            rate_limit=None,
            secondary=True,
            retry_after_s=wait,
            reset_at=_utc(self._clock() + wait),
            github_message=_registry_message(body),
            headers=headers,
            method="GET",
            url=redact_url(url),
            attempts=attempt,
        )

    def _delays(self) -> Iterator[float]:
        base, cap = self._backoff
        gen = backoff.expo(base=2, factor=base, max_value=cap)
        next(gen)  # backoff's generators yield once before the first delay
        for value in gen:
            yield backoff.full_jitter(value) if value else 0.0

    async def _send_following(self, url: str, auth: Mapping[str, str]) -> _Answer:
        """Send once, following redirects; ``auth`` only goes to the registry origin."""
        for _ in range(_MAX_REDIRECTS + 1):
            headers = {"Accept": wire.ACCEPT, "User-Agent": f"aiogh-packages/{__version__}"}
            if same_origin(url, self.registry_url):
                headers.update(auth)
            status, answer_headers, body = await self._send_once(url, headers)
            location = answer_headers.get("location")
            if status not in _REDIRECTS or not location:
                return status, answer_headers, body, url
            url = str(URL(url, encoded=True).join(URL(location, encoded=True)))
        raise TransportError(
            f"more than {_MAX_REDIRECTS} redirects", method="GET", url=redact_url(url)
        )

    async def _send_once(
        self, url: str, headers: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.get(
                URL(url, encoded=True),
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            ) as resp:
                body = await resp.read()
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, body
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
            raise TransportError(
                f"registry request failed: {type(exc).__name__}", method="GET", url=redact_url(url)
            ) from exc


def _login(owner: Owner | str) -> str:
    name = owner if isinstance(owner, str) else owner.name
    if not name:
        raise ValueError(
            f"owner {owner!r} has no login; the registry needs one: pass Owner.user(login)"
        )
    return name


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


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
