"""PackagesClient: every operation of the GitHub Packages REST API as a typed async call.

Methods are named ``<verb>_<owner>_<object>``, owner being ``user``, ``org`` or
``authenticated_user`` (https://docs.github.com/rest/packages/packages). Listing methods
return a :class:`~aiogh_packages.Listing`: ``async for`` gives the items across every page,
``.pages()`` the pages. Arguments are checked before anything is sent: a bad value raises
``ValueError``/``TypeError`` naming it and what is accepted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from ._base import ClientBase
from ._sansio.retention_plan import RetentionPolicy
from .fanout import FanOutResult
from .models import Package, PackageState, PackageType, PackageVersion, PackageVisibility
from .owner import Owner
from .pagination import Listing
from .retention import (
    JournalEntry,
    ProgressHook,
    RestoreReport,
    RetentionReport,
    apply_retention,
    restore_from_journal,
)

__all__ = ["PackagesClient"]

OwnerT = TypeVar("OwnerT")
T = TypeVar("T")


class PackagesClient(ClientBase):
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
            GitHub Enterprise Server, or a loopback test server.
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
    """

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
        return self._list_packages(owner.kind, owner.name, package_type, visibility, per_page)

    async def get_package(
        self, owner: Owner, package_type: PackageType, package_name: str
    ) -> Package:
        """Get one package of ``owner``."""
        owner = _check_owner(owner)
        return await self._get_package(owner.kind, owner.name, package_type, package_name)

    async def delete_package(
        self, owner: Owner, package_type: PackageType, package_name: str
    ) -> None:
        """Delete a package of ``owner`` (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the package was gone when a retried attempt arrived.
        """
        owner = _check_owner(owner)
        await self._delete_package(owner.kind, owner.name, package_type, package_name)

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
        owner = _check_owner(owner)
        await self._restore_package(owner.kind, owner.name, package_type, package_name, token)

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
        owner = _check_owner(owner)
        if state is not None and owner.kind == "user":
            raise ValueError(
                f"state={state!r} is not accepted for {owner}: GitHub's version listing of a "
                "user's package has no state filter (use an org owner or the authenticated user)"
            )
        return self._list_versions(
            owner.kind, owner.name, package_type, package_name, state, per_page
        )

    async def get_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        """Get one version of a package of ``owner``."""
        owner = _check_owner(owner)
        return await self._get_version(
            owner.kind, owner.name, package_type, package_name, package_version_id
        )

    async def delete_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Delete one version of a package of ``owner`` (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the version was gone when a retried attempt arrived.
        """
        owner = _check_owner(owner)
        await self._delete_version(
            owner.kind, owner.name, package_type, package_name, package_version_id
        )

    async def restore_package_version(
        self, owner: Owner, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Restore a deleted version of a package of ``owner``."""
        owner = _check_owner(owner)
        await self._restore_version(
            owner.kind, owner.name, package_type, package_name, package_version_id
        )

    def iter_docker_migration_conflicts(self, owner: Owner) -> Listing[Package]:
        """List the packages of ``owner`` that conflict with the Docker migration."""
        owner = _check_owner(owner)
        return self._list_conflicts(owner.kind, owner.name)

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
        return self._list_packages("user", username, package_type, visibility, per_page)

    async def get_user_package(
        self, username: str, package_type: PackageType, package_name: str
    ) -> Package:
        """Get one package of a user."""
        return await self._get_package("user", username, package_type, package_name)

    async def delete_user_package(
        self, username: str, package_type: PackageType, package_name: str
    ) -> None:
        """Delete a package of a user (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the package was gone when a retried attempt arrived.
        """
        await self._delete_package("user", username, package_type, package_name)

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
        await self._restore_package("user", username, package_type, package_name, token)

    def iter_user_package_versions(
        self, username: str, package_type: PackageType, package_name: str, *, per_page: int = 100
    ) -> Listing[PackageVersion]:
        """List the versions of a package of a user, newest first, following every page.

        ``per_page`` is sent although the spec omits it here: GitHub honours it.
        """
        return self._list_versions("user", username, package_type, package_name, None, per_page)

    async def get_user_package_version(
        self, username: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        """Get one version of a package of a user."""
        return await self._get_version(
            "user", username, package_type, package_name, package_version_id
        )

    async def delete_user_package_version(
        self, username: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Delete one version of a package of a user (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the version was gone when a retried attempt arrived.
        """
        await self._delete_version("user", username, package_type, package_name, package_version_id)

    async def restore_user_package_version(
        self, username: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Restore a deleted version of a package of a user."""
        await self._restore_version(
            "user", username, package_type, package_name, package_version_id
        )

    def iter_user_docker_migration_conflicts(self, username: str) -> Listing[Package]:
        """List the packages of a user that conflict with the Docker migration."""
        return self._list_conflicts("user", username)

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
        return self._list_packages("org", org, package_type, visibility, per_page)

    async def get_org_package(
        self, org: str, package_type: PackageType, package_name: str
    ) -> Package:
        """Get one package of an organization."""
        return await self._get_package("org", org, package_type, package_name)

    async def delete_org_package(
        self, org: str, package_type: PackageType, package_name: str
    ) -> None:
        """Delete a package of an organization (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the package was gone when a retried attempt arrived.
        """
        await self._delete_package("org", org, package_type, package_name)

    async def restore_org_package(
        self, org: str, package_type: PackageType, package_name: str, *, token: str | None = None
    ) -> None:
        """Restore a deleted package of an organization.

        Args:
            token: the optional package ``token`` query parameter; redacted in errors.
        """
        await self._restore_package("org", org, package_type, package_name, token)

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
        return self._list_versions("org", org, package_type, package_name, state, per_page)

    async def get_org_package_version(
        self, org: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        """Get one version of a package of an organization."""
        return await self._get_version("org", org, package_type, package_name, package_version_id)

    async def delete_org_package_version(
        self, org: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Delete one version of a package of an organization (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the version was gone when a retried attempt arrived.
        """
        await self._delete_version("org", org, package_type, package_name, package_version_id)

    async def restore_org_package_version(
        self, org: str, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Restore a deleted version of a package of an organization."""
        await self._restore_version("org", org, package_type, package_name, package_version_id)

    def iter_org_docker_migration_conflicts(self, org: str) -> Listing[Package]:
        """List the packages of an organization that conflict with the Docker migration."""
        return self._list_conflicts("org", org)

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
        return self._list_packages("authenticated_user", None, package_type, visibility, per_page)

    async def get_authenticated_user_package(
        self, package_type: PackageType, package_name: str
    ) -> Package:
        """Get one package of the authenticated user."""
        return await self._get_package("authenticated_user", None, package_type, package_name)

    async def delete_authenticated_user_package(
        self, package_type: PackageType, package_name: str
    ) -> None:
        """Delete a package of the authenticated user (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the package was gone when a retried attempt arrived.
        """
        await self._delete_package("authenticated_user", None, package_type, package_name)

    async def restore_authenticated_user_package(
        self, package_type: PackageType, package_name: str, *, token: str | None = None
    ) -> None:
        """Restore a deleted package of the authenticated user.

        Args:
            token: the optional package ``token`` query parameter; redacted in errors.
        """
        await self._restore_package("authenticated_user", None, package_type, package_name, token)

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
        return self._list_versions(
            "authenticated_user", None, package_type, package_name, state, per_page
        )

    async def get_authenticated_user_package_version(
        self, package_type: PackageType, package_name: str, package_version_id: int
    ) -> PackageVersion:
        """Get one version of a package of the authenticated user."""
        return await self._get_version(
            "authenticated_user", None, package_type, package_name, package_version_id
        )

    async def delete_authenticated_user_package_version(
        self, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Delete one version of a package of the authenticated user (restorable for 30 days).

        Raises:
            NotFoundAfterRetryError: the version was gone when a retried attempt arrived.
        """
        await self._delete_version(
            "authenticated_user", None, package_type, package_name, package_version_id
        )

    async def restore_authenticated_user_package_version(
        self, package_type: PackageType, package_name: str, package_version_id: int
    ) -> None:
        """Restore a deleted version of a package of the authenticated user."""
        await self._restore_version(
            "authenticated_user", None, package_type, package_name, package_version_id
        )

    def iter_authenticated_user_docker_migration_conflicts(self) -> Listing[Package]:
        """List the packages of the authenticated user that conflict with the Docker migration."""
        return self._list_conflicts("authenticated_user", None)

    # -- resuming, fan-out ------------------------------------------------------------

    def iter_packages_from_url(self, url: str) -> Listing[Package]:
        """Continue a package listing from a page URL, e.g. the ``url`` of a failed page.

        The URL must be on the ``base_url`` origin (checked before sending).
        """
        self._http.check_origin(url, "resume URL")
        return self._listing_from_url(url, Package)

    def iter_package_versions_from_url(self, url: str) -> Listing[PackageVersion]:
        """Continue a version listing from a page URL, e.g. the ``url`` of a failed page."""
        self._http.check_origin(url, "resume URL")
        return self._listing_from_url(url, PackageVersion)

    def fan_out_user_packages(
        self,
        usernames: Iterable[str],
        package_type: PackageType,
        *,
        visibility: PackageVisibility | None = None,
        per_page: int = 100,
        concurrency: int | None = None,
        fail_fast: bool = False,
    ) -> AsyncIterator[FanOutResult[str, Package]]:
        """List the packages of many users concurrently; see :func:`~aiogh_packages.fan_out`.

        Arguments are checked before anything is sent. ``concurrency`` (owners listed at
        once) defaults to the client's ``max_concurrency``; requests in flight never exceed
        it. Results arrive tagged with their owner, in arrival order.
        """
        self._package_query(package_type, visibility, per_page)

        def listing(name: str) -> Listing[Package]:
            return self.iter_user_packages(
                name, package_type, visibility=visibility, per_page=per_page
            )

        return self._fan_out(usernames, listing, concurrency, fail_fast)

    def fan_out_org_packages(
        self,
        orgs: Iterable[str],
        package_type: PackageType,
        *,
        visibility: PackageVisibility | None = None,
        per_page: int = 100,
        concurrency: int | None = None,
        fail_fast: bool = False,
    ) -> AsyncIterator[FanOutResult[str, Package]]:
        """List the packages of many organizations concurrently (see ``fan_out_user_packages``)."""
        self._package_query(package_type, visibility, per_page)

        def listing(org: str) -> Listing[Package]:
            return self.iter_org_packages(
                org, package_type, visibility=visibility, per_page=per_page
            )

        return self._fan_out(orgs, listing, concurrency, fail_fast)

    def fan_out(
        self,
        owners: Iterable[OwnerT],
        listing: Callable[[OwnerT], AsyncIterator[T]],
        *,
        concurrency: int | None = None,
        fail_fast: bool = False,
    ) -> AsyncIterator[FanOutResult[OwnerT, T]]:
        """Run ``listing(owner)`` for every owner with bounded concurrency.

        The generic primitive behind ``fan_out_user_packages``: ``listing`` may be any
        method of this client that returns a listing, e.g. versions of many packages.
        """
        return self._fan_out(owners, listing, concurrency, fail_fast)

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
        deletes through this client's write pacing and rate-limit handling.

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
            self, "user", username, package_type, package_name, policy, dry_run=dry_run,
            max_deletions=max_deletions, journal=journal, now=now, on_progress=on_progress,
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
            self, "org", org, package_type, package_name, policy, dry_run=dry_run,
            max_deletions=max_deletions, journal=journal, now=now, on_progress=on_progress,
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
            self, "authenticated_user", None, package_type, package_name, policy,
            dry_run=dry_run, max_deletions=max_deletions, journal=journal, now=now,
            on_progress=on_progress,
        )  # fmt: skip

    async def restore_from_journal(
        self,
        journal: str | Path,
        *,
        on_progress: Callable[[JournalEntry, str], None] | None = None,
    ) -> RestoreReport:
        """Restore every version a prune journal records. A 404 counts as done; re-runnable."""
        return await restore_from_journal(self, journal, on_progress=on_progress)


def _check_owner(owner: object) -> Owner:
    if not isinstance(owner, Owner):
        raise TypeError(
            f"owner must be an Owner (Owner.user(name), Owner.org(name), "
            f"Owner.authenticated_user() or Owner.parse(text)), got {owner!r}"
        )
    return owner
