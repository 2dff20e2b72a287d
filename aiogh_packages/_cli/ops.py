"""Each operation for a chosen :class:`~aiogh_packages.Owner`.

The CLI picks the owner scope at run time, so it calls the client's public owner-generic
methods (``iter_packages(owner, ...)`` and kin). The arguments come from argparse choices,
hence the casts to the Literal aliases.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from .._sansio.retention_plan import RetentionPlan, RetentionPolicy
from ..client import PackagesClient
from ..models import Package, PackageState, PackageType, PackageVersion, PackageVisibility
from ..owner import Owner
from ..pagination import Listing
from ..retention import ProgressHook, RetentionReport, apply_plan, apply_retention

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
    return gh.iter_packages(
        owner,
        cast(PackageType, package_type),
        visibility=cast("PackageVisibility | None", visibility),
        per_page=per_page,
    )


def list_versions(
    gh: PackagesClient,
    owner: Owner,
    package_type: str,
    package: str,
    state: str | None,
    per_page: int,
) -> Listing[PackageVersion]:
    """The versions of one package, newest first (``state`` only for org and own)."""
    state_ = cast("PackageState | None", state)
    return gh.iter_package_versions(
        owner, cast(PackageType, package_type), package, state=state_, per_page=per_page
    )


async def get_package(gh: PackagesClient, owner: Owner, package_type: str, name: str) -> Package:
    """One package."""
    return await gh.get_package(owner, cast(PackageType, package_type), name)


async def get_version(
    gh: PackagesClient, owner: Owner, package_type: str, name: str, version_id: int
) -> PackageVersion:
    """One version of a package."""
    return await gh.get_package_version(owner, cast(PackageType, package_type), name, version_id)


async def delete(
    gh: PackagesClient, owner: Owner, package_type: str, name: str, version_id: int | None
) -> None:
    """Delete the package, or one of its versions when ``version_id`` is given."""
    if version_id is None:
        await gh.delete_package(owner, cast(PackageType, package_type), name)
    else:
        await gh.delete_package_version(owner, cast(PackageType, package_type), name, version_id)


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
        await gh.restore_package(owner, cast(PackageType, package_type), name, token=package_token)
    else:
        await gh.restore_package_version(owner, cast(PackageType, package_type), name, version_id)


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
        gh, owner, _type(package_type), name, policy, dry_run=True, now=now
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
        gh, owner, _type(package_type), name, plan, max_deletions=max_deletions,
        journal=journal, on_progress=on_progress, limit=limit, recheck=recheck,
        api_url=gh.base_url,
    )  # fmt: skip


def _type(package_type: str) -> PackageType:
    """A package type argparse already checked against the choices."""
    return cast(PackageType, package_type)
