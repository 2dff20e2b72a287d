"""Records of the fake server's data: owners, repositories, packages and versions.

Plain mutable dataclasses; :class:`~aiogh_packages.testing.Store` owns and changes them. They
are handed to tests (``store.add_version(...).id``) and rendered to GitHub JSON by
:mod:`.render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "DOWNLOAD_LIMIT",
    "ORG_ROLES",
    "PACKAGE_ROLES",
    "PACKAGE_TYPES",
    "RESTORE_WINDOW",
    "VISIBILITIES",
    "IdPool",
    "OrgRole",
    "OwnerRecord",
    "PackageRecord",
    "PackageRole",
    "RepositoryRecord",
    "State",
    "VersionRecord",
    "check_choice",
    "restorable",
]

PACKAGE_TYPES = ("npm", "maven", "rubygems", "docker", "nuget", "container")
VISIBILITIES = ("public", "private", "internal")
State = Literal["active", "deleted"]
OrgRole = Literal["member", "admin"]
PackageRole = Literal["read", "write", "admin"]
ORG_ROLES: tuple[OrgRole, ...] = ("member", "admin")
PACKAGE_ROLES: tuple[PackageRole, ...] = ("read", "write", "admin")
# "If a package is public and the package or any of its versions have more than 5,000
# downloads, you cannot delete it" (https://docs.github.com/packages/learn-github-packages/
# deleting-and-restoring-a-package, "Package deletion and restoration support on GitHub").
DOWNLOAD_LIMIT = 5000
# "You can restore a deleted package or version ... within 30 days" (the text of every restore
# operation in https://docs.github.com/rest/packages/packages); after that they are gone.
RESTORE_WINDOW = timedelta(days=30)


def restorable(deleted_at: datetime | None, now: datetime) -> bool:
    """Whether something deleted at ``deleted_at`` is still inside GitHub's restore window."""
    return deleted_at is None or now - deleted_at <= RESTORE_WINDOW


@dataclass(eq=False)
class OwnerRecord:
    """A user (``type="User"``) or organization (``type="Organization"``).

    ``members`` maps an organization's members (lower-case logins) to ``"member"`` or
    ``"admin"`` (an organization owner); see :meth:`Store.add_member`.
    """

    login: str
    id: int
    type: Literal["User", "Organization"]
    members: dict[str, OrgRole] = field(default_factory=dict)


@dataclass(eq=False)
class RepositoryRecord:
    """A repository packages can belong to."""

    id: int
    name: str
    owner: OwnerRecord
    private: bool = False
    description: str | None = None


@dataclass(eq=False)
class VersionRecord:
    """One version of a package; ``state`` is ``"active"`` or ``"deleted"``.

    ``downloads`` is how often it was downloaded. GitHub reports it in no API, but refuses to
    delete a public version downloaded more than 5,000 times; set it to test that rule.
    """

    id: int
    name: str
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    state: State = "active"
    deleted_at: datetime | None = None
    license: str | None = None
    description: str | None = None
    downloads: int = 0


@dataclass(eq=False)
class PackageRecord:
    """A package, its versions (by id) and whether it is deleted or a docker-migration conflict.

    ``user_roles`` and ``repository_roles`` are the package's access settings: roles granted
    to users (lower-case logins) and to repositories (lower-case ``owner/name``, the "Manage
    Actions access" setting); see :meth:`Store.grant`.
    """

    id: int
    name: str
    package_type: str
    owner: OwnerRecord
    visibility: str
    created_at: datetime
    updated_at: datetime
    repository: RepositoryRecord | None = None
    state: State = "active"
    deleted_at: datetime | None = None
    docker_conflict: bool = False
    versions: dict[int, VersionRecord] = field(default_factory=dict)
    user_roles: dict[str, PackageRole] = field(default_factory=dict)
    repository_roles: dict[str, PackageRole] = field(default_factory=dict)

    @property
    def version_count(self) -> int:
        """How many versions are active."""
        return sum(1 for v in self.versions.values() if v.state == "active")

    def popular_version(self) -> VersionRecord | None:
        """An active version that GitHub's download rule protects, if this package is public."""
        if self.visibility != "public":
            return None
        return next(
            (
                v
                for v in self.versions.values()
                if v.state == "active" and v.downloads > DOWNLOAD_LIMIT
            ),
            None,
        )

    def listed_versions(self, state: State = "active") -> list[VersionRecord]:
        """Versions in ``state``, newest first (created_at, then id, descending) as GitHub lists."""
        chosen = [v for v in self.versions.values() if v.state == state]
        chosen.sort(key=lambda v: (v.created_at, v.id), reverse=True)
        return chosen


class IdPool:
    """Hands out explicit ids once, or the next free id from ``start``."""

    def __init__(self, start: int) -> None:
        self._next = start
        self._used: set[int] = set()

    def take(self, wanted: int | None, what: str) -> int:
        """``wanted`` if free (else ``ValueError``), or the next free id when ``None``."""
        if wanted is not None:
            if wanted in self._used:
                raise ValueError(f"{what} id {wanted} is already taken")
            self._used.add(wanted)
            return wanted
        while self._next in self._used:
            self._next += 1
        self._used.add(self._next)
        return self._next


def check_choice(value: str, allowed: tuple[str, ...], what: str) -> None:
    """Raise ``ValueError`` naming ``value`` and the accepted ones unless it is allowed."""
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of: {', '.join(allowed)}")
