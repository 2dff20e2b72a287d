"""Who may see and change which package: GitHub's package access rules (no I/O).

Rules (https://docs.github.com/packages/learn-github-packages/about-permissions-for-github-packages
and shared github-behaviour notes, section 15, "Who may do what"):

* A user's packages: the user reads and administers them; others read the public ones and
  those granting them a role.
* An organization's packages: its owners (``admin`` members) administer all of them; a
  package role granted to a user gives that role. Internal container packages are readable
  by every member; outside containers ``internal`` means ``private``
  (https://docs.github.com/rest/packages/packages, the ``visibility`` parameter).
* Public packages are readable by any authenticated caller.
* Deleting and restoring need ``admin`` on the package.
* An Actions ``GITHUB_TOKEN`` acts for its repository: it reads packages linked to that
  repository or granting it a role, and deletes or restores only packages granting that
  repository ``admin`` (cli/cli#9606, actions/github-script#449).

A :class:`Principal` with ``superuser=True`` (the server without a token list) may do
anything, which is the fake's permissive default.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import OwnerRecord, PackageRecord

__all__ = ["ADMIN", "READ", "Principal", "effective_visibility", "rank"]

READ, WRITE, ADMIN = 1, 2, 3
_RANKS = {"read": READ, "write": WRITE, "admin": ADMIN}


@dataclass(frozen=True)
class Principal:
    """Whom a request acts for: a user login, an Actions repository, or everyone's admin."""

    login: str | None = None
    repository: str | None = None  # "owner/name" of an Actions token
    superuser: bool = False

    @property
    def is_actions(self) -> bool:
        """Whether this is an Actions ``GITHUB_TOKEN``."""
        return self.repository is not None


def effective_visibility(package_type: str, visibility: str) -> str:
    """``visibility`` as GitHub applies it: ``internal`` is ``private`` outside containers."""
    if visibility == "internal" and package_type != "container":
        return "private"
    return visibility


def _org_rank(principal: Principal, package: PackageRecord, owner: OwnerRecord) -> int:
    membership = owner.members.get((principal.login or "").lower())
    if membership == "admin":
        return ADMIN
    visibility = effective_visibility(package.package_type, package.visibility)
    return READ if membership == "member" and visibility == "internal" else 0


def _repository_rank(principal: Principal, package: PackageRecord) -> int:
    wanted = (principal.repository or "").lower()
    granted = _RANKS.get(package.repository_roles.get(wanted, ""), 0)
    repo = package.repository
    linked = repo is not None and f"{repo.owner.login}/{repo.name}".lower() == wanted
    return max(granted, READ if linked else 0)


def rank(principal: Principal, package: PackageRecord) -> int:
    """The caller's role on ``package``: 0 (none), :data:`READ`, ``WRITE`` or :data:`ADMIN`.

    Public packages give everyone at least :data:`READ`.
    """
    if principal.superuser:
        return ADMIN
    public = READ if package.visibility == "public" else 0
    if principal.is_actions:
        return max(public, _repository_rank(principal, package))
    owner = package.owner
    login = (principal.login or "").lower()
    if owner.type == "User" and owner.login.lower() == login:
        return ADMIN
    granted = _RANKS.get(package.user_roles.get(login, ""), 0)
    org = _org_rank(principal, package, owner) if owner.type == "Organization" else 0
    return max(public, granted, org)
