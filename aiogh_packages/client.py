"""PackagesClient: every operation of the GitHub Packages REST API as a typed async call.

Nine owner-generic operations (``iter_packages(owner, ...)`` and kin) take an
:class:`~aiogh_packages.Owner`; the ``<verb>_<owner>_<object>`` methods, owner being
``user``, ``org`` or ``authenticated_user`` (https://docs.github.com/rest/packages/packages),
are one-line doors onto them. Listing methods return a :class:`~aiogh_packages.Listing`:
``async for`` gives the items across every page, ``.pages()`` the pages. Arguments are checked
before anything is sent: a bad value raises ``ValueError``/``TypeError`` naming it and what
is accepted. The verbs themselves (list, get, send) live once in ``_operations.py``.
"""

from __future__ import annotations

import asyncio
import copy
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import aiohttp

from . import _operations as ops
from ._pipeline import HTTPCore
from ._sansio import routes
from ._sansio.auth import AuthStatus, evaluate_token, token_kind
from ._sansio.ratelimit import RateLimit
from ._sansio.registry_wire import default_registry_url
from ._sansio.responses import BodyDecoder, decode
from ._sansio.retention_plan import RetentionPolicy
from ._sansio.retry import RetryPolicy
from ._sansio.urls import has_userinfo, redact_url
from ._transport import AiohttpTransport
from ._version import __version__
from .budget import LocalRateBudget, RateBudget
from .cache import ETagCache, MemoryETagCache
from .errors import AuthError, ForbiddenError
from .events import Clock, RetryHook, Sleep, WaitHook
from .fanout import FanOut, fan_out
from .models import (
    Package,
    PackageState,
    PackageType,
    PackageVersion,
    PackageVisibility,
    VersionSummary,
)
from .owner import Owner
from .pagination import Listing
from .registry import RegistryClient
from .retention import (
    JournalEntry,
    ProgressHook,
    RestoreReport,
    RetentionReport,
    apply_retention,
    restore_from_journal,
)

__all__ = ["DEFAULT_API_VERSION", "DEFAULT_BASE_URL", "PackagesClient", "default_base_url"]

OwnerT = TypeVar("OwnerT")
T = TypeVar("T")
_Self = TypeVar("_Self", bound="PackagesClient")

DEFAULT_BASE_URL = "https://api.github.com"
DEFAULT_API_VERSION = "2022-11-28"
_ME = Owner.authenticated_user()


def default_base_url(environ: Mapping[str, str] = os.environ) -> str:
    """``$GITHUB_API_URL`` (set by GitHub Actions, GHES included) if set, else api.github.com.

    https://docs.github.com/actions/reference/variables-reference#default-environment-variables
    """
    return (environ.get("GITHUB_API_URL") or "").strip() or DEFAULT_BASE_URL


class PackagesClient:
    """An async client for the GitHub Packages REST API.

    Use it as an async context manager (or call :meth:`aclose`)::

        async with PackagesClient(token=token) as gh:
            async for pkg in gh.iter_user_packages("octocat", "container"):
                print(pkg.name)

    Args:
        token: a classic personal access token or an Actions ``GITHUB_TOKEN``; sent as
            ``Authorization: Bearer`` to the origin of ``base_url`` only, never shown in
            reprs, logs or errors. None sends unauthenticated requests.
        base_url: the API root: ``https://api.github.com``, ``https://HOST/api/v3`` for
            GitHub Enterprise Server, or a loopback test server. When not given, the
            ``GITHUB_API_URL`` environment variable (what GitHub Actions sets, on GHES too),
            else ``https://api.github.com``.
        session: an ``aiohttp.ClientSession`` to borrow (left open on close); by default
            the client opens its own and closes it.
        api_version: the ``X-GitHub-Api-Version`` header.
        user_agent: the ``User-Agent`` header (default ``aiogh-packages/<version>``).
        timeout: seconds one attempt may take in all, body included.
        connect_timeout: seconds to establish a connection.
        max_tries: attempts per request for transient faults (connection, timeout, 5xx).
        max_retry_time: seconds after which transient faults are no longer retried.
        max_wait: the longest rate-limit wait, in seconds, to sleep through; a longer one
            raises :class:`~aiogh_packages.RateLimitError` saying when the limit resets.
        max_rate_limit_retries: how many rate-limit waits one request may sit through.
        backoff_base: first exponential retry delay in seconds (0 makes retries immediate).
        backoff_max: cap on one exponential retry delay.
        max_concurrency: requests in flight at once, shared by every task (at most 100).
        points_per_minute: GitHub's secondary-limit budget per endpoint (GET 1 point,
            DELETE/POST 5); None switches the client-side budget off.
        write_interval: minimum seconds between mutating requests (0 switches it off).
        prefetch_window: pages a listing fetches ahead when ``rel="last"`` is known; None
            (the default) adapts it: it starts at 2 and widens, up to ``max_concurrency``,
            only while the consumer waits on the network. A number fixes it
            (1 = strictly sequential).
        etag_cache: True for an in-memory LRU, or your own :class:`~aiogh_packages.ETagCache`:
            GETs become conditional and 304s are served from it.
        sleep: the coroutine used for every wait (tests pass a fake).
        clock: the epoch-seconds clock used with ``sleep``.
        on_retry: called with each :class:`~aiogh_packages.RetryEvent`.
        on_wait: called with each :class:`~aiogh_packages.WaitEvent`.
        rate_budget: where the points budget and rate-limit pauses live; by default a
            :class:`~aiogh_packages.LocalRateBudget` of ``points_per_minute`` in this
            process. Pass a shared one (``aiogh_packages.budget.RedisRateBudget``) so
            several processes on one token stay under GitHub's limits together.
        registry_url: the container registry beside the API, read by :meth:`registry`;
            None (the default) derives it from ``base_url``: ``https://ghcr.io`` for
            ``https://api.github.com``, ``https://containers.HOST`` for GHES
            ``https://HOST/api/v3``, else ``base_url``'s own origin (a test server).

    ``base_url`` and ``registry_url`` must not carry userinfo (``user:password@``): the
    token is the only credential, and a ``ValueError`` says so without echoing the URL's.

    A client belongs to the event loop of its first request: using it from another loop
    (a second ``asyncio.run``) or after :meth:`aclose` raises ``RuntimeError`` before
    anything is sent. Create the client inside the coroutine that uses it.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        api_version: str = DEFAULT_API_VERSION,
        user_agent: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_tries: int = 5,
        max_retry_time: float = 120.0,
        max_wait: float = 300.0,
        max_rate_limit_retries: int = 4,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        max_concurrency: int = 8,
        points_per_minute: int | None = 900,
        write_interval: float = 1.0,
        prefetch_window: int | None = None,
        etag_cache: ETagCache | bool | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        on_retry: RetryHook | None = None,
        on_wait: WaitHook | None = None,
        rate_budget: RateBudget | None = None,
        registry_url: str | None = None,
    ) -> None:
        base_url = (default_base_url() if base_url is None else base_url).rstrip("/")
        _check_config(token, base_url, timeout, max_tries, max_concurrency, prefetch_window)
        self._registry = _RegistrySlot(
            url=_registry_url(registry_url, base_url), session=session, timeout_s=timeout
        )
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": api_version,
            "User-Agent": user_agent or f"aiogh-packages/{__version__}",
        }
        retry = RetryPolicy(
            max_tries=max_tries, max_time_s=max_retry_time,
            max_rate_limit_retries=max_rate_limit_retries, max_wait_s=max_wait,
        )  # fmt: skip
        transport = AiohttpTransport(session, timeout_s=timeout, connect_timeout_s=connect_timeout)
        self._http = HTTPCore(
            base_url=base_url, token=token, headers=headers, retry=retry, transport=transport,
            backoff_base_s=backoff_base, backoff_max_s=backoff_max, max_concurrency=max_concurrency,
            rate_budget=_rate_budget(rate_budget, points_per_minute),
            write_interval_s=write_interval, etag_cache=_etag_cache(etag_cache),
            sleep=sleep or asyncio.sleep, clock=clock or time.time,
            on_retry=on_retry, on_wait=on_wait,
        )  # fmt: skip
        self._token = token
        self._max_wait: float | None = None
        self._prefetch_window = prefetch_window  # None: adaptive, up to max_concurrency
        self._is_view = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={redact_url(self._http.base_url)!r})"

    async def __aenter__(self: _Self) -> _Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session if the client opened it (and :meth:`registry`'s client, if made).

        A borrowed session stays open.
        """
        if not self._is_view:
            await self._registry.close()
            await self._http.close()

    @property
    def registry_url(self) -> str:
        """The container registry :meth:`registry` reads, e.g. ``https://ghcr.io``."""
        return self._registry.url

    def registry(self) -> RegistryClient:
        """The :class:`~aiogh_packages.RegistryClient` for :attr:`registry_url`, made once.

        It shares this client's token (sent only to the registry origin, as the bearer-token
        exchange's password), its borrowed ``session`` if one was given (else it opens its
        own), its ``timeout``, ``sleep`` and ``clock``; :meth:`aclose` closes it.
        """
        return self._registry.client(self._token, self._http.sleep, self._http.clock)

    def _images_for(self, package_type: str) -> RegistryClient | None:
        """The registry a container prune plans by image with (other types need none)."""
        return self.registry() if package_type == "container" else None

    @property
    def base_url(self) -> str:
        """The API root every request goes to, e.g. ``https://api.github.com``."""
        return self._http.base_url

    @property
    def rate_limit(self) -> RateLimit | None:
        """The latest primary rate-limit state GitHub reported, shared by every task."""
        return self._http.rate_limit

    @property
    def max_concurrency(self) -> int:
        """The most requests this client has in flight at once."""
        return self._http.max_concurrency

    def with_options(
        self: _Self, *, max_wait: float | None = None, prefetch_window: int | None = None
    ) -> _Self:
        """A view of this client with other per-call limits, sharing its session and state.

        Args:
            max_wait: the longest rate-limit wait to sleep through, in seconds; a longer
                one raises :class:`RateLimitError` at once (``0`` never waits).
            prefetch_window: how many pages a listing may fetch ahead (1 = sequential).
        """
        view = copy.copy(self)
        view._is_view = True
        if max_wait is not None:
            view._max_wait = max_wait
        if prefetch_window is not None:
            _check_positive(prefetch_window, "prefetch_window")
            view._prefetch_window = prefetch_window
        return view

    async def auth_status(self, required_scopes: Iterable[str] = ("read:packages",)) -> AuthStatus:
        """Check who the token belongs to and whether it can use the Packages API.

        Sends one ``GET /user``. The kind comes from the token's prefix (never its length);
        ``abilities`` says what it can and cannot do, each with a reason and a fix. A missing
        token, a 401, a fine-grained token or missing classic scopes (``read:packages``; add
        ``delete:packages`` to delete and ``write:packages`` to restore) are reported in
        ``problems`` rather than raised, so a service can check at start-up and fail fast.
        An Actions or App token (``ghs_``) has no login: ``GET /user`` refuses it with 403.

        Raises:
            PackagesError: for faults other than a refused token (network, 5xx, ...).
        """
        needed = tuple(required_scopes)
        kind = token_kind(self._token)
        if kind == "none":
            return evaluate_token(kind=kind, login=None, scopes_header=None, required_scopes=needed)
        url = self._http.url("/user")
        try:
            resp = await self._http.request("GET", url, template="/user", max_wait_s=self._max_wait)
        except (AuthError, ForbiddenError) as exc:  # 403: an Actions/App token is no user
            return evaluate_token(
                kind=kind, login=None, scopes_header=None, required_scopes=needed,
                rate_limit=RateLimit.from_headers(exc.headers),
                user_forbidden=isinstance(exc, ForbiddenError),
            )  # fmt: skip
        user = decode(ops.USER, resp.body, endpoint="GET /user", method="GET", url=url)
        return evaluate_token(
            kind=kind, login=user.login, scopes_header=resp.headers.get("x-oauth-scopes"),
            required_scopes=needed, rate_limit=resp.rate_limit,
        )  # fmt: skip

    def _ops(self) -> ops.Operations:
        return ops.Operations(self._http, self._max_wait, self._prefetch_window)

    # -- any owner ------------------------------------------------------------------------

    def iter_packages(
        self,
        owner: Owner,
        package_type: PackageType,
        *,
        visibility: PackageVisibility | None = None,
        per_page: int = 100,
    ) -> Listing[Package]:
        """List the packages of ``owner`` (a user, an organization or the token's own).

        Args:
            owner: whose packages, e.g. ``Owner.org("acme")`` or ``Owner.parse(text)``.
            package_type: one of npm, maven, rubygems, docker, nuget, container.
            visibility: only packages with this visibility (public, private, internal).
            per_page: items per request, 1..100.
        """
        owner = _check_owner(owner)
        query = ops.package_query(package_type, visibility, per_page)
        return self._ops().listing(routes.owner_route(owner.kind, owner.name), query, ops.PACKAGES)

    async def get_package(
        self, owner: Owner, package_type: PackageType, package_name: str
    ) -> Package:
        """Get one package of ``owner``."""
        return await self._ops().get(_package_route(owner, package_type, package_name), ops.PACKAGE)

    async def delete_package(
        self, owner: Owner, package_type: PackageType, package_name: str
    ) -> None:
        """Delete a package of ``owner`` (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the package was gone when a retried attempt arrived.
        """
        await self._ops().send("DELETE", _package_route(owner, package_type, package_name))

    async def restore_package(
        self,
        owner: Owner,
        package_type: PackageType,
        package_name: str,
        *,
        token: str | None = None,
    ) -> None:
        """Restore a deleted package of ``owner``.

        Args:
            token: the optional package ``token`` query parameter; redacted in errors.
        """
        if token is not None:
            routes.check_name(token, "token")
        route = _package_route(owner, package_type, package_name).child("/restore", "/restore")
        await self._ops().send("POST", route, {"token": token})

    def iter_package_versions(
        self,
        owner: Owner,
        package_type: PackageType,
        package_name: str,
        *,
        state: PackageState | None = None,
        per_page: int = 100,
    ) -> Listing[PackageVersion]:
        """List the versions of a package of ``owner``, newest first, following every page.

        Args:
            state: ``active`` (GitHub's default) or ``deleted``; organizations and the
                authenticated user only: GitHub's user version listing has no ``state``,
                so it is refused for a user owner before anything is sent.
            per_page: items per request, 1..100.
        """
        return self._versions(owner, package_type, package_name, state, per_page, ops.VERSIONS)

    def iter_version_summaries(
        self,
        owner: Owner,
        package_type: PackageType,
        package_name: str,
        *,
        state: PackageState | None = None,
        per_page: int = 100,
    ) -> Listing[VersionSummary]:
        """:meth:`iter_package_versions`, decoded straight to compact ``VersionSummary`` items.

        The same requests and checks; each version keeps only what retention reads (id,
        name, tags, timestamps), about a third of the memory, for planning over very large
        packages: ``plan_retention([r async for r in gh.iter_version_summaries(...)], ...)``.
        """
        return self._versions(owner, package_type, package_name, state, per_page, ops.SUMMARIES)

    def _versions(
        self,
        owner: Owner,
        package_type: PackageType,
        package_name: str,
        state: PackageState | None,
        per_page: int,
        decoder: BodyDecoder[list[T]],
    ) -> Listing[T]:
        owner = _check_owner(owner)
        if state is not None and owner.kind == "user":
            raise ValueError(
                f"state={state!r} is not accepted for {owner}: GitHub's version listing of a "
                "user's package has no state filter (use an org owner or the authenticated user)"
            )
        route = _package_route(owner, package_type, package_name).child("/versions", "/versions")
        return self._ops().listing(route, ops.versions_query(state, per_page), decoder)

    async def get_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        """Get one version of a package of ``owner``."""
        route = _version_route(owner, package_type, package_name, package_version_id)
        return await self._ops().get(route, ops.VERSION)

    async def delete_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Delete one version of a package of ``owner`` (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the version was gone when a retried attempt arrived.
        """
        route = _version_route(owner, package_type, package_name, package_version_id)
        await self._ops().send("DELETE", route)

    async def restore_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Restore a deleted version of a package of ``owner``."""
        route = _version_route(owner, package_type, package_name, package_version_id)
        await self._ops().send("POST", route.child("/restore", "/restore"))

    def iter_docker_migration_conflicts(self, owner: Owner) -> Listing[Package]:
        """List the packages of ``owner`` that conflict with the Docker migration."""
        owner = _check_owner(owner)
        route = routes.conflicts_route(owner.kind, owner.name)
        return self._ops().listing(route, {}, ops.PACKAGES)

    # -- a user --------------------------------------------------------------------------

    def iter_user_packages(
        self,
        username: str,
        package_type: PackageType,
        *,
        visibility: PackageVisibility | None = None,
        per_page: int = 100,
    ) -> Listing[Package]:
        """List the packages of a user, following every page.

        Args:
            package_type: one of npm, maven, rubygems, docker, nuget, container.
            visibility: only packages with this visibility (public, private, internal).
            per_page: items per request, 1..100.
        """
        return self.iter_packages(
            Owner.user(username), package_type, visibility=visibility, per_page=per_page
        )

    async def get_user_package(
        self, username: str, package_type: PackageType, package_name: str
    ) -> Package:
        """Get one package of a user."""
        return await self.get_package(Owner.user(username), package_type, package_name)

    async def delete_user_package(
        self, username: str, package_type: PackageType, package_name: str
    ) -> None:
        """Delete a package of a user (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the package was gone when a retried attempt arrived.
        """
        await self.delete_package(Owner.user(username), package_type, package_name)

    async def restore_user_package(
        self,
        username: str,
        package_type: PackageType,
        package_name: str,
        *,
        token: str | None = None,
    ) -> None:
        """Restore a deleted package of a user.

        Args:
            token: the optional package ``token`` query parameter; redacted in errors.
        """
        await self.restore_package(Owner.user(username), package_type, package_name, token=token)

    def iter_user_package_versions(
        self, username: str, package_type: PackageType, package_name: str, *, per_page: int = 100
    ) -> Listing[PackageVersion]:
        """List the versions of a package of a user, newest first, following every page.

        ``per_page`` is sent although the spec omits it here: GitHub honours it.
        """
        return self.iter_package_versions(
            Owner.user(username), package_type, package_name, per_page=per_page
        )

    async def get_user_package_version(
        self, username: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        """Get one version of a package of a user."""
        return await self.get_package_version(
            Owner.user(username), package_type, package_name, package_version_id
        )

    async def delete_user_package_version(
        self, username: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Delete one version of a package of a user (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the version was gone when a retried attempt arrived.
        """
        await self.delete_package_version(
            Owner.user(username), package_type, package_name, package_version_id
        )

    async def restore_user_package_version(
        self, username: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Restore a deleted version of a package of a user."""
        await self.restore_package_version(
            Owner.user(username), package_type, package_name, package_version_id
        )

    def iter_user_docker_migration_conflicts(self, username: str) -> Listing[Package]:
        """List the packages of a user that conflict with the Docker migration."""
        return self.iter_docker_migration_conflicts(Owner.user(username))

    # -- an organization -----------------------------------------------------------------

    def iter_org_packages(
        self,
        org: str,
        package_type: PackageType,
        *,
        visibility: PackageVisibility | None = None,
        per_page: int = 100,
    ) -> Listing[Package]:
        """List the packages of an organization, following every page.

        Args:
            package_type: one of npm, maven, rubygems, docker, nuget, container.
            visibility: only packages with this visibility (public, private, internal).
            per_page: items per request, 1..100.
        """
        return self.iter_packages(
            Owner.org(org), package_type, visibility=visibility, per_page=per_page
        )

    async def get_org_package(
        self, org: str, package_type: PackageType, package_name: str
    ) -> Package:
        """Get one package of an organization."""
        return await self.get_package(Owner.org(org), package_type, package_name)

    async def delete_org_package(
        self, org: str, package_type: PackageType, package_name: str
    ) -> None:
        """Delete a package of an organization (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the package was gone when a retried attempt arrived.
        """
        await self.delete_package(Owner.org(org), package_type, package_name)

    async def restore_org_package(
        self, org: str, package_type: PackageType, package_name: str, *, token: str | None = None
    ) -> None:
        """Restore a deleted package of an organization.

        Args:
            token: the optional package ``token`` query parameter; redacted in errors.
        """
        await self.restore_package(Owner.org(org), package_type, package_name, token=token)

    def iter_org_package_versions(
        self,
        org: str,
        package_type: PackageType,
        package_name: str,
        *,
        state: PackageState | None = None,
        per_page: int = 100,
    ) -> Listing[PackageVersion]:
        """List the versions of a package of an organization, newest first, following every page.

        Args:
            state: ``active`` (GitHub's default) or ``deleted``.
            per_page: items per request, 1..100.
        """
        return self.iter_package_versions(
            Owner.org(org), package_type, package_name, state=state, per_page=per_page
        )

    async def get_org_package_version(
        self, org: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        """Get one version of a package of an organization."""
        return await self.get_package_version(
            Owner.org(org), package_type, package_name, package_version_id
        )

    async def delete_org_package_version(
        self, org: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Delete one version of a package of an organization (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the version was gone when a retried attempt arrived.
        """
        await self.delete_package_version(
            Owner.org(org), package_type, package_name, package_version_id
        )

    async def restore_org_package_version(
        self, org: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Restore a deleted version of a package of an organization."""
        await self.restore_package_version(
            Owner.org(org), package_type, package_name, package_version_id
        )

    def iter_org_docker_migration_conflicts(self, org: str) -> Listing[Package]:
        """List the packages of an organization that conflict with the Docker migration."""
        return self.iter_docker_migration_conflicts(Owner.org(org))

    # -- the authenticated user ----------------------------------------------------------

    def iter_authenticated_user_packages(
        self,
        package_type: PackageType,
        *,
        visibility: PackageVisibility | None = None,
        per_page: int = 100,
    ) -> Listing[Package]:
        """List the packages of the authenticated user, following every page.

        Args:
            package_type: one of npm, maven, rubygems, docker, nuget, container.
            visibility: only packages with this visibility (public, private, internal).
            per_page: items per request, 1..100.
        """
        return self.iter_packages(_ME, package_type, visibility=visibility, per_page=per_page)

    async def get_authenticated_user_package(
        self, package_type: PackageType, package_name: str
    ) -> Package:
        """Get one package of the authenticated user."""
        return await self.get_package(_ME, package_type, package_name)

    async def delete_authenticated_user_package(
        self, package_type: PackageType, package_name: str
    ) -> None:
        """Delete a package of the authenticated user (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the package was gone when a retried attempt arrived.
        """
        await self.delete_package(_ME, package_type, package_name)

    async def restore_authenticated_user_package(
        self, package_type: PackageType, package_name: str, *, token: str | None = None
    ) -> None:
        """Restore a deleted package of the authenticated user.

        Args:
            token: the optional package ``token`` query parameter; redacted in errors.
        """
        await self.restore_package(_ME, package_type, package_name, token=token)

    def iter_authenticated_user_package_versions(
        self,
        package_type: PackageType,
        package_name: str,
        *,
        state: PackageState | None = None,
        per_page: int = 100,
    ) -> Listing[PackageVersion]:
        """List the versions of a package of the authenticated user, newest first, every page.

        Args:
            state: ``active`` (GitHub's default) or ``deleted``.
            per_page: items per request, 1..100.
        """
        return self.iter_package_versions(
            _ME, package_type, package_name, state=state, per_page=per_page
        )

    async def get_authenticated_user_package_version(
        self, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        """Get one version of a package of the authenticated user."""
        return await self.get_package_version(_ME, package_type, package_name, package_version_id)

    async def delete_authenticated_user_package_version(
        self, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Delete one version of a package of the authenticated user (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the version was gone when a retried attempt arrived.
        """
        await self.delete_package_version(_ME, package_type, package_name, package_version_id)

    async def restore_authenticated_user_package_version(
        self, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Restore a deleted version of a package of the authenticated user."""
        await self.restore_package_version(_ME, package_type, package_name, package_version_id)

    def iter_authenticated_user_docker_migration_conflicts(self) -> Listing[Package]:
        """List the packages of the authenticated user that conflict with the Docker migration."""
        return self.iter_docker_migration_conflicts(_ME)

    # -- resuming, fan-out ------------------------------------------------------------

    def iter_packages_from_url(self, url: str) -> Listing[Package]:
        """Continue a package listing from a page URL, e.g. the ``url`` of a failed page.

        The URL must be on the ``base_url`` origin (checked before sending).
        """
        return self._ops().resumed(url, ops.PACKAGES)

    def iter_package_versions_from_url(self, url: str) -> Listing[PackageVersion]:
        """Continue a version listing from a page URL, e.g. the ``url`` of a failed page."""
        return self._ops().resumed(url, ops.VERSIONS)

    def fan_out_packages(
        self,
        owners: Iterable[Owner],
        package_type: PackageType,
        *,
        visibility: PackageVisibility | None = None,
        per_page: int = 100,
        concurrency: int | None = None,
        fail_fast: bool = False,
    ) -> FanOut[Owner, Package]:
        """List the packages of many owners (users and organizations mixed) concurrently.

        ``package_type``, ``visibility`` and ``per_page`` are checked before anything is
        sent; a bad owner (not an :class:`~aiogh_packages.Owner`) becomes that owner's
        :class:`~aiogh_packages.FanOutError` and the others go on. ``concurrency`` (owners
        listed at once) defaults to the client's ``max_concurrency``; requests in flight
        never exceed it. Results arrive tagged with their owner, in arrival order. Close
        the returned :class:`~aiogh_packages.FanOut` (``async with`` or
        ``contextlib.aclosing``) to stop every worker when you leave the loop early.
        """
        ops.package_query(package_type, visibility, per_page)

        def listing(owner: Owner) -> Listing[Package]:
            return self.iter_packages(owner, package_type, visibility=visibility, per_page=per_page)

        return self.fan_out(owners, listing, concurrency=concurrency, fail_fast=fail_fast)

    def fan_out_user_packages(
        self,
        usernames: Iterable[str],
        package_type: PackageType,
        *,
        visibility: PackageVisibility | None = None,
        per_page: int = 100,
        concurrency: int | None = None,
        fail_fast: bool = False,
    ) -> FanOut[str, Package]:
        """List the packages of many users concurrently (see :meth:`fan_out_packages`).

        Results are tagged with the user name as given; a bad name (e.g. ``""``) becomes
        that name's :class:`~aiogh_packages.FanOutError` and the others go on.
        """
        ops.package_query(package_type, visibility, per_page)

        def listing(name: str) -> Listing[Package]:
            return self.iter_user_packages(
                name, package_type, visibility=visibility, per_page=per_page
            )

        return self.fan_out(usernames, listing, concurrency=concurrency, fail_fast=fail_fast)

    def fan_out_org_packages(
        self,
        orgs: Iterable[str],
        package_type: PackageType,
        *,
        visibility: PackageVisibility | None = None,
        per_page: int = 100,
        concurrency: int | None = None,
        fail_fast: bool = False,
    ) -> FanOut[str, Package]:
        """List the packages of many organizations concurrently (see ``fan_out_user_packages``)."""
        ops.package_query(package_type, visibility, per_page)

        def listing(org: str) -> Listing[Package]:
            return self.iter_org_packages(
                org, package_type, visibility=visibility, per_page=per_page
            )

        return self.fan_out(orgs, listing, concurrency=concurrency, fail_fast=fail_fast)

    def fan_out(
        self,
        owners: Iterable[OwnerT],
        listing: Callable[[OwnerT], AsyncIterator[T]],
        *,
        concurrency: int | None = None,
        fail_fast: bool = False,
    ) -> FanOut[OwnerT, T]:
        """Run ``listing(owner)`` for every owner with bounded concurrency.

        The generic primitive behind ``fan_out_packages``: ``listing`` may be any
        method of this client that returns a listing, e.g. versions of many packages.
        """
        limit = self._http.max_concurrency if concurrency is None else concurrency
        return fan_out(owners, listing, concurrency=limit, fail_fast=fail_fast)

    # -- retention ----------------------------------------------------------------------

    async def prune_user_package_versions(
        self,
        username: str,
        package_type: PackageType,
        package_name: str,
        policy: RetentionPolicy,
        *,
        dry_run: bool = False,
        max_deletions: int = 100,
        journal: str | Path | None = None,
        now: datetime | None = None,
        on_progress: ProgressHook | None = None,
    ) -> RetentionReport:
        """Delete the versions of a user's package that ``policy`` plans to delete.

        Lists every active version, plans with :func:`~aiogh_packages.plan_retention`, and
        deletes through this client's write pacing and rate-limit handling. A container
        package is planned by image: its manifests are read through :meth:`registry`, so a
        platform image, attestation or signature a kept image needs is kept.

        Args:
            policy: what to keep and what to delete.
            dry_run: list and plan only; not one DELETE is sent.
            max_deletions: refuse (``RetentionLimitError``) a plan deleting more than this.
            journal: append one JSON line per deleted version here, for
                :meth:`restore_from_journal`.
            now: the time ages are measured from (default: the current UTC time).
            on_progress: called after each deletion with the planned version and outcome.
        """
        return await apply_retention(
            self, Owner.user(username), package_type, package_name, policy, dry_run=dry_run,
            max_deletions=max_deletions, journal=journal, now=now, on_progress=on_progress,
            api_url=self.base_url, registry=self._images_for(package_type),
        )  # fmt: skip

    async def prune_org_package_versions(
        self,
        org: str,
        package_type: PackageType,
        package_name: str,
        policy: RetentionPolicy,
        *,
        dry_run: bool = False,
        max_deletions: int = 100,
        journal: str | Path | None = None,
        now: datetime | None = None,
        on_progress: ProgressHook | None = None,
    ) -> RetentionReport:
        """Delete the versions of an organization's package that ``policy`` plans to delete.

        See :meth:`prune_user_package_versions` for the arguments.
        """
        return await apply_retention(
            self, Owner.org(org), package_type, package_name, policy, dry_run=dry_run,
            max_deletions=max_deletions, journal=journal, now=now, on_progress=on_progress,
            api_url=self.base_url, registry=self._images_for(package_type),
        )  # fmt: skip

    async def prune_authenticated_user_package_versions(
        self,
        package_type: PackageType,
        package_name: str,
        policy: RetentionPolicy,
        *,
        dry_run: bool = False,
        max_deletions: int = 100,
        journal: str | Path | None = None,
        now: datetime | None = None,
        on_progress: ProgressHook | None = None,
    ) -> RetentionReport:
        """Delete the versions of your own package that ``policy`` plans to delete.

        See :meth:`prune_user_package_versions` for the arguments.
        """
        return await apply_retention(
            self, Owner.authenticated_user(), package_type, package_name, policy,
            dry_run=dry_run, max_deletions=max_deletions, journal=journal, now=now,
            on_progress=on_progress, api_url=self.base_url,
        )  # fmt: skip

    async def restore_from_journal(
        self,
        journal: str | Path,
        *,
        on_progress: Callable[[JournalEntry, str], None] | None = None,
    ) -> RestoreReport:
        """Restore every version a prune journal says may be deleted; a 404 counts as done.

        Versions with a ``pending`` line are restored too (their DELETE may have been applied
        before a crash); a torn last line is skipped and reported. Safe to re-run.
        """
        return await restore_from_journal(self, journal, on_progress=on_progress)


class _RegistrySlot:
    """The registry client a :class:`PackagesClient` makes on demand; shared by its views."""

    def __init__(
        self, *, url: str, session: aiohttp.ClientSession | None, timeout_s: float
    ) -> None:
        self.url = url
        self._session = session
        self._timeout_s = timeout_s
        self._client: RegistryClient | None = None

    def client(self, token: str | None, sleep: Sleep, clock: Clock) -> RegistryClient:
        if self._client is None:
            self._client = RegistryClient(
                token=token, registry_url=self.url, session=self._session,
                timeout_s=self._timeout_s, sleep=sleep, clock=clock,
            )  # fmt: skip
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def _registry_url(registry_url: str | None, base_url: str) -> str:
    if registry_url is None:
        return default_registry_url(base_url)
    if not isinstance(registry_url, str) or not registry_url.startswith(("http://", "https://")):
        shown = redact_url(registry_url) if isinstance(registry_url, str) else registry_url
        raise ValueError(f"registry_url must be an http:// or https:// URL, got {shown!r}")
    if has_userinfo(registry_url):
        raise ValueError(
            f"registry_url {redact_url(registry_url)!r} must not carry user:password@; "
            "the token is the only credential sent"
        )
    return registry_url.rstrip("/")


def _check_owner(owner: object) -> Owner:
    if not isinstance(owner, Owner):
        raise TypeError(
            f"owner must be an Owner (Owner.user(name), Owner.org(name), "
            f"Owner.authenticated_user() or Owner.parse(text)), got {owner!r}"
        )
    return owner


def _package_route(owner: Owner, package_type: str, package_name: str) -> routes.Route:
    owner = _check_owner(owner)
    return routes.package_route(owner.kind, owner.name, package_type, package_name)


def _version_route(
    owner: Owner, package_type: str, package_name: str, version_id: int
) -> routes.Route:
    owner = _check_owner(owner)
    return routes.version_route(owner.kind, owner.name, package_type, package_name, version_id)


def _check_positive(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _etag_cache(etag_cache: ETagCache | bool | None) -> ETagCache | None:
    if etag_cache is True:
        return MemoryETagCache()
    return None if isinstance(etag_cache, bool) else etag_cache


def _rate_budget(budget: RateBudget | None, points_per_minute: int | None) -> RateBudget | None:
    if budget is not None:
        if not isinstance(budget, RateBudget):
            raise TypeError(f"rate_budget must implement RateBudget, got {budget!r}")
        return budget
    return None if points_per_minute is None else LocalRateBudget(points_per_minute)


def _check_config(
    token: object, base_url: object, timeout: float, max_tries: int, max_concurrency: int,
    prefetch_window: int | None,
) -> None:  # fmt: skip
    if token is not None and (not isinstance(token, str) or not token.strip()):
        raise ValueError("token must be a non-empty str or None")
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        shown = redact_url(base_url) if isinstance(base_url, str) else base_url
        raise ValueError(f"base_url must be an http:// or https:// URL, got {shown!r}")
    if has_userinfo(base_url):
        raise ValueError(
            f"base_url {redact_url(base_url)!r} must not carry user:password@; "
            "the token is the only credential sent"
        )
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
    _check_positive(max_tries, "max_tries")
    _check_positive(max_concurrency, "max_concurrency")
    if max_concurrency > 100:
        raise ValueError(
            f"max_concurrency must be at most 100 (GitHub's limit on concurrent requests), "
            f"got {max_concurrency}"
        )
    if prefetch_window is not None:
        _check_positive(prefetch_window, "prefetch_window")
