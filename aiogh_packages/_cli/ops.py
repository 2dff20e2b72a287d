"""Each operation for a chosen :class:`~.session.Owner`.

The client's public methods are one per owner scope; it routes them all through generic
operations keyed by owner kind, and the CLI, which picks the scope at run time, calls those.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from .._sansio.retention_plan import RetentionPlan, RetentionPolicy
from ..client import PackagesClient
from ..models import Package, PackageType, PackageVersion
from ..owner import Owner as PublicOwner
from ..pagination import Listing
from ..retention import ProgressHook, RetentionReport, apply_plan, apply_retention
from .session import Owner

__all__ = [
    "delete",
    "get_package",
    "get_version",
    "list_packages",
    "list_versions",
    "plan",
    "prune",
    "restore",
]


def list_packages(
    gh: PackagesClient, owner: Owner, package_type: str, visibility: str | None, per_page: int
) -> Listing[Package]:
    """The owner's packages of one type."""
    return gh._list_packages(owner.kind, owner.name, package_type, visibility, per_page)


def list_versions(
    gh: PackagesClient,
    owner: Owner,
    package_type: str,
    package: str,
    state: str | None,
    per_page: int,
) -> Listing[PackageVersion]:
    """The versions of one package, newest first (``state`` only for org and own)."""
    return gh._list_versions(owner.kind, owner.name, package_type, package, state, per_page)


async def get_package(gh: PackagesClient, owner: Owner, package_type: str, name: str) -> Package:
    """One package."""
    return await gh._get_package(owner.kind, owner.name, package_type, name)


async def get_version(
    gh: PackagesClient, owner: Owner, package_type: str, name: str, version_id: int
) -> PackageVersion:
    """One version of a package."""
    return await gh._get_version(owner.kind, owner.name, package_type, name, version_id)


async def delete(
    gh: PackagesClient, owner: Owner, package_type: str, name: str, version_id: int | None
) -> None:
    """Delete the package, or one of its versions when ``version_id`` is given."""
    if version_id is None:
        await gh._delete_package(owner.kind, owner.name, package_type, name)
    else:
        await gh._delete_version(owner.kind, owner.name, package_type, name, version_id)


async def restore(
    gh: PackagesClient,
    owner: Owner,
    package_type: str,
    name: str,
    version_id: int | None,
    package_token: str | None,
) -> None:
    """Restore the package (with its optional restore token), or one of its versions."""
    if version_id is None:
        await gh._restore_package(owner.kind, owner.name, package_type, name, package_token)
    else:
        await gh._restore_version(owner.kind, owner.name, package_type, name, version_id)


async def plan(
    gh: PackagesClient,
    owner: Owner,
    package_type: str,
    name: str,
    policy: RetentionPolicy,
    now: datetime,
) -> RetentionReport:
    """List the package's versions and plan ``policy`` for them; nothing is deleted."""
    return await apply_retention(
        gh, _owner(owner), _type(package_type), name, policy, dry_run=True, now=now
    )


async def prune(
    gh: PackagesClient,
    owner: Owner,
    package_type: str,
    name: str,
    plan: RetentionPlan,
    *,
    max_deletions: int,
    journal: str | None,
    on_progress: ProgressHook | None = None,
    limit: int | None = None,
    recheck: bool = True,
) -> RetentionReport:
    """Delete what the reviewed ``plan`` marks for deletion (no second listing)."""
    return await apply_plan(
        gh, _owner(owner), _type(package_type), name, plan, max_deletions=max_deletions,
        journal=journal, on_progress=on_progress, limit=limit, recheck=recheck,
        api_url=gh.base_url,
    )  # fmt: skip


def _owner(owner: Owner) -> PublicOwner:
    """The CLI's owner as the public :class:`~aiogh_packages.Owner`."""
    return PublicOwner(owner.kind, owner.name)


def _type(package_type: str) -> PackageType:
    """A package type argparse already checked against the choices."""
    return cast(PackageType, package_type)
