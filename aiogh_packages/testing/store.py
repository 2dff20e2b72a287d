"""The fake server's in-memory data: owners, repositories, packages and their versions.

A :class:`Store` is plain data with a lock. The server reads and changes it while it answers a
request (holding :attr:`Store.lock`), and tests may change it at any time, from any thread.
Owners are looked up case-insensitively by login, as GitHub does; package names are exact.
Ids are unique per kind: give them explicitly or let the store assign the next free one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Literal

from ._synth import plan_packages, synth_versions
from .records import (
    ORG_ROLES,
    PACKAGE_ROLES,
    PACKAGE_TYPES,
    VISIBILITIES,
    IdPool,
    OrgRole,
    OwnerRecord,
    PackageRecord,
    PackageRole,
    RepositoryRecord,
    State,
    VersionRecord,
    check_choice,
)

__all__ = ["Store"]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _utc(moment: datetime | None) -> datetime:
    """``moment`` as an aware UTC datetime (naive ones are taken as UTC); now when ``None``."""
    if moment is None:
        return _now()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class Store:
    """In-memory GitHub Packages data for :class:`~aiogh_packages.testing.FakeGitHub`.

    ``lock`` (a re-entrant lock) is held by the server while it answers a request; hold it
    yourself to make several changes appear at once to a running server.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._owners: dict[str, OwnerRecord] = {}
        self._owners_by_id: dict[int, OwnerRecord] = {}
        self._repos: dict[tuple[str, str], RepositoryRecord] = {}
        self._packages: dict[tuple[str, str, str], PackageRecord] = {}
        self._owner_ids, self._repo_ids = IdPool(10_001), IdPool(500_000_001)
        self._package_ids, self._version_ids = IdPool(1_000_001), IdPool(20_000_001)
        # (owner lower-cased, package, digest) -> (media type, body), served by .registry
        self.manifests: dict[tuple[str, str, str], tuple[str, bytes]] = {}

    # -- owners ---------------------------------------------------------------------------

    def _add_owner(
        self, login: str, id: int | None, kind: Literal["User", "Organization"]
    ) -> OwnerRecord:
        if not login or "/" in login:
            raise ValueError(f"login must be a non-empty name without '/', got {login!r}")
        with self.lock:
            if login.lower() in self._owners:
                raise ValueError(f"login {login!r} is already taken")
            owner = OwnerRecord(login, self._owner_ids.take(id, "owner"), kind)
            self._owners[login.lower()] = owner
            self._owners_by_id[owner.id] = owner
            return owner

    def add_user(self, login: str, id: int | None = None) -> OwnerRecord:
        """Add a user account; ``id`` defaults to the next free one. Returns its record."""
        return self._add_owner(login, id, "User")

    def add_org(self, login: str, id: int | None = None) -> OwnerRecord:
        """Add an organization; ``id`` defaults to the next free one. Returns its record."""
        return self._add_owner(login, id, "Organization")

    def owner(self, login: str) -> OwnerRecord | None:
        """The user or organization called ``login`` (any case), or ``None``."""
        with self.lock:
            return self._owners.get(login.lower())

    def owner_by_id(self, id: int) -> OwnerRecord | None:
        """The user or organization with numeric ``id``, or ``None``."""
        with self.lock:
            return self._owners_by_id.get(id)

    def owners(self, kind: Literal["User", "Organization"] | None = None) -> list[OwnerRecord]:
        """Every user and organization (or only those of ``kind``), in the order added."""
        with self.lock:
            return [o for o in self._owners.values() if kind is None or o.type == kind]

    def first_user(self) -> OwnerRecord | None:
        """The first user added: whom any token authenticates as when tokens are not listed."""
        with self.lock:
            return next((o for o in self._owners.values() if o.type == "User"), None)

    def add_member(self, org: str, login: str, role: OrgRole = "member") -> None:
        """Make the user ``login`` a member (or, with ``role="admin"``, an owner) of ``org``."""
        check_choice(role, ORG_ROLES, "role")
        with self.lock:
            account, user = self._need_owner(org), self._need_owner(login)
            if account.type != "Organization" or user.type != "User":
                raise ValueError(f"{login!r} must be a user and {org!r} an organization")
            account.members[user.login.lower()] = role

    def grant(
        self,
        owner: str,
        package_type: str,
        name: str,
        role: PackageRole = "admin",
        *,
        user: str | None = None,
        repository: str | None = None,
    ) -> None:
        """Give ``user`` (a login) or ``repository`` (``"owner/name"``, for its Actions
        ``GITHUB_TOKEN``) the package role ``role``: ``read``, ``write`` or ``admin``."""
        check_choice(role, PACKAGE_ROLES, "role")
        if (user is None) == (repository is None):
            raise TypeError("grant() takes exactly one of user= or repository=")
        with self.lock:
            package = self._need_package(owner, package_type, name)
            if user is not None:
                package.user_roles[self._need_owner(user).login.lower()] = role
            elif repository is not None:
                if repository.count("/") != 1:
                    raise ValueError(f"repository must be 'owner/name', got {repository!r}")
                package.repository_roles[repository.lower()] = role

    def _need_owner(self, login: str) -> OwnerRecord:
        found = self.owner(login)
        if found is None:
            raise KeyError(f"no user or organization {login!r} in the store")
        return found

    # -- repositories and packages ----------------------------------------------------------

    def add_repository(
        self,
        owner: str,
        name: str,
        *,
        id: int | None = None,
        private: bool = False,
        description: str | None = None,
    ) -> RepositoryRecord:
        """Add (or return the existing) repository ``owner/name`` that packages can link to."""
        with self.lock:
            account = self._need_owner(owner)
            key = (account.login.lower(), name.lower())
            if key not in self._repos:
                ident = self._repo_ids.take(id, "repository")
                self._repos[key] = RepositoryRecord(ident, name, account, private, description)
            return self._repos[key]

    def add_package(
        self,
        owner: str,
        package_type: str,
        name: str,
        *,
        visibility: str = "public",
        repository: str | None = None,
        created_at: datetime | None = None,
        id: int | None = None,
    ) -> PackageRecord:
        """Add a package (without versions) to ``owner``; ``repository`` names a repository of
        the same owner, created if missing. Returns the package's record."""
        check_choice(package_type, PACKAGE_TYPES, "package_type")
        check_choice(visibility, VISIBILITIES, "visibility")
        if not name:
            raise ValueError("package name must not be empty")
        with self.lock:
            account = self._need_owner(owner)
            key = (account.login.lower(), package_type, name)
            if key in self._packages:
                raise ValueError(f"{account.login} already has a {package_type} package {name!r}")
            repo = None
            if repository is not None:
                repo = self.add_repository(owner, repository, private=visibility != "public")
            when = _utc(created_at)
            package = PackageRecord(
                self._package_ids.take(id, "package"),
                name,
                package_type,
                account,
                visibility,
                when,
                when,
                repo,
            )
            self._packages[key] = package
            return package

    def package(self, owner: str, package_type: str, name: str) -> PackageRecord | None:
        """The package record whatever its state (active or deleted), or ``None``."""
        with self.lock:
            return self._packages.get((owner.lower(), package_type, name))

    def _need_package(self, owner: str, package_type: str, name: str) -> PackageRecord:
        found = self.package(owner, package_type, name)
        if found is None:
            raise KeyError(f"no {package_type} package {name!r} owned by {owner!r}")
        return found

    def package_exists(self, owner: str, package_type: str, name: str) -> bool:
        """Whether the package exists and is not deleted."""
        found = self.package(owner, package_type, name)
        return found is not None and found.state == "active"

    def packages(
        self, owner: str, package_type: str | None = None, *, state: State = "active"
    ) -> list[PackageRecord]:
        """The owner's packages in ``state`` (of one type, or all), in ascending id order."""
        with self.lock:
            login = owner.lower()
            found = [
                p
                for (who, kind, _), p in self._packages.items()
                if who == login and p.state == state and package_type in (None, kind)
            ]
        return sorted(found, key=lambda p: p.id)

    def mark_docker_conflict(self, owner: str, package_type: str, name: str) -> PackageRecord:
        """Flag a docker package as conflicting in the Docker-to-Container migration."""
        if package_type != "docker":
            raise ValueError(f"only docker packages can conflict, not {package_type!r}")
        with self.lock:
            package = self._need_package(owner, package_type, name)
            package.docker_conflict = True
            return package

    def delete_package(
        self, owner: str, package_type: str, name: str, *, now: datetime | None = None
    ) -> None:
        """Delete an active package (``deleted_at`` = ``now``; it can be restored for 30
        days). Raises ``KeyError`` if none."""
        with self.lock:
            package = self._need_package(owner, package_type, name)
            if package.state != "active":
                raise KeyError(f"{package_type} package {name!r} is already deleted")
            package.state, package.deleted_at = "deleted", _utc(now)

    def restore_package(self, owner: str, package_type: str, name: str) -> None:
        """Restore a deleted package. Raises ``KeyError`` if there is no deleted one."""
        with self.lock:
            package = self._need_package(owner, package_type, name)
            if package.state != "deleted":
                raise KeyError(f"{package_type} package {name!r} is not deleted")
            package.state, package.deleted_at = "active", None

    # -- versions ---------------------------------------------------------------------------

    def add_version(
        self,
        owner: str,
        package_type: str,
        package_name: str,
        /,
        name: str | None = None,
        *,
        tags: Iterable[str] = (),
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
        id: int | None = None,
        license: str | None = None,
        description: str | None = None,
        downloads: int = 0,
    ) -> VersionRecord:
        """Add an active version to an existing package and return its record.

        ``name`` defaults to a digest for container/docker and ``1.0.N`` otherwise;
        ``created_at`` to now and ``updated_at`` to ``created_at``. ``downloads`` above 5,000
        makes a public version undeletable through the API (``record.downloads`` can be
        changed later too).
        """
        if downloads < 0:
            raise ValueError(f"downloads must not be negative, got {downloads}")
        with self.lock:
            package = self._need_package(owner, package_type, package_name)
            ident = self._version_ids.take(id, "version")
            if name is None:
                number = len(package.versions)
                docker_like = package_type in ("container", "docker")
                name = f"sha256:{ident:064x}" if docker_like else f"1.0.{number}"
            created = _utc(created_at)
            updated = _utc(updated_at) if updated_at else created
            version = VersionRecord(
                ident,
                name,
                tuple(tags),
                created,
                updated,
                license=license,
                description=description,
                downloads=downloads,
            )
            package.versions[ident] = version
            package.updated_at = max(package.updated_at, updated)
            return version

    def add_versions(
        self,
        owner: str,
        package_type: str,
        package_name: str,
        /,
        count: int = 250,
        *,
        now: datetime | None = None,
        span: timedelta = timedelta(days=730),
    ) -> list[VersionRecord]:
        """Add ``count`` versions spread over the ``span`` before ``now``, oldest first.

        Container and docker versions get digests and a deterministic mix of ``latest``,
        semver, ``sha-xxxxxxx`` and no tags; other types get increasing semver names. The
        package is created (public) if missing. Returns the new records, oldest first.
        """
        with self.lock:
            package = self.package(owner, package_type, package_name)
            if package is None:
                package = self.add_package(owner, package_type, package_name)
            seed = f"{package.owner.login}/{package_type}/{package_name}"
            start = len(package.versions)
            plan = synth_versions(seed, package_type, count, start=start, now=_utc(now), span=span)
            return [
                self.add_version(owner, package_type, package_name, name, tags=tags, created_at=at)
                for name, tags, at in plan
            ]

    def add_packages(
        self,
        owner: str,
        package_type: str,
        count: int = 250,
        *,
        visibility: str = "public",
        versions: int = 1,
        now: datetime | None = None,
    ) -> list[PackageRecord]:
        """Add ``count`` packages named ``package-0000``, ``package-0001``, ... (skipping taken
        names), each with ``versions`` versions, created an hour apart up to ``now``."""
        hour = timedelta(hours=1)
        with self.lock:
            self._need_owner(owner)
            taken = {k[2] for k in self._packages if k[:2] == (owner.lower(), package_type)}
            made = []
            for name, when in plan_packages(taken, count, _utc(now)):
                made.append(
                    self.add_package(
                        owner, package_type, name, visibility=visibility, created_at=when
                    )
                )
                if versions:
                    self.add_versions(
                        owner, package_type, name, versions, now=when + hour / 2, span=hour / 4
                    )
            return made

    def get_version(
        self, owner: str, package_type: str, name: str, version_id: int
    ) -> VersionRecord:
        """A version by id, whatever its state. Raises ``KeyError`` if there is none."""
        with self.lock:
            package = self._need_package(owner, package_type, name)
            try:
                return package.versions[version_id]
            except KeyError:
                raise KeyError(
                    f"{package_type} package {name!r} has no version {version_id}"
                ) from None

    def versions(
        self, owner: str, package_type: str, name: str, state: State = "active"
    ) -> list[VersionRecord]:
        """The package's versions in ``state``, newest first as GitHub lists them."""
        with self.lock:
            return self._need_package(owner, package_type, name).listed_versions(state)

    def delete_version(
        self,
        owner: str,
        package_type: str,
        name: str,
        version_id: int,
        *,
        now: datetime | None = None,
    ) -> VersionRecord:
        """Delete an active version (``deleted_at`` = ``now``). Raises ``KeyError`` if there is no
        active version with that id and ``ValueError`` if it is the package's last active one."""
        with self.lock:
            version = self.get_version(owner, package_type, name, version_id)
            if version.state != "active":
                raise KeyError(f"version {version_id} is already deleted")
            if self._need_package(owner, package_type, name).version_count <= 1:
                # GitHub's 400 with this message: actions/delete-package-versions#231,
                # SmartsquareGmbH/delete-old-packages#33 (shared github-behaviour notes, 15).
                raise ValueError(
                    "You cannot delete the last version of a package. "
                    "You must delete the package instead."
                )
            version.state, version.deleted_at = "deleted", _utc(now)
            return version

    def restore_version(
        self, owner: str, package_type: str, name: str, version_id: int
    ) -> VersionRecord:
        """Restore a deleted version. Raises ``KeyError`` if there is no deleted one."""
        with self.lock:
            version = self.get_version(owner, package_type, name, version_id)
            if version.state != "deleted":
                raise KeyError(f"version {version_id} is not deleted")
            version.state, version.deleted_at = "active", None
            return version
