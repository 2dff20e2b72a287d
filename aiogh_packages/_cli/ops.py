"""Each operation for a chosen :class:`~.session.Owner`: picks the user, org or own method."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from .._sansio.retention_plan import RetentionPolicy
from ..client import PackagesClient
from ..models import Package, PackageState, PackageType, PackageVersion, PackageVisibility
from ..pagination import Listing
from ..retention import ProgressHook, RetentionReport
from .session import Owner

__all__ = [
    "delete",
    "get_package",
    "get_version",
    "list_packages",
    "list_versions",
    "prune",
    "restore",
]


def _name(owner: Owner) -> str:
    assert owner.name is not None  # user and org owners always have a name
    return owner.name


def list_packages(
    gh: PackagesClient, owner: Owner, package_type: str, visibility: str | None, per_page: int
) -> Listing[Package]:
    """The owner's packages of one type."""
    kind, vis = cast(PackageType, package_type), cast("PackageVisibility | None", visibility)
    if owner.kind == "user":
        return gh.iter_user_packages(_name(owner), kind, visibility=vis, per_page=per_page)
    if owner.kind == "org":
        return gh.iter_org_packages(_name(owner), kind, visibility=vis, per_page=per_page)
    return gh.iter_authenticated_user_packages(kind, visibility=vis, per_page=per_page)


def list_versions(
    gh: PackagesClient,
    owner: Owner,
    package_type: str,
    package: str,
    state: str | None,
    per_page: int,
) -> Listing[PackageVersion]:
    """The versions of one package, newest first (``state`` only for org and own)."""
    kind, st = cast(PackageType, package_type), cast("PackageState | None", state)
    if owner.kind == "user":
        return gh.iter_user_package_versions(_name(owner), kind, package, per_page=per_page)
    if owner.kind == "org":
        return gh.iter_org_package_versions(
            _name(owner), kind, package, state=st, per_page=per_page
        )
    return gh.iter_authenticated_user_package_versions(kind, package, state=st, per_page=per_page)


async def get_package(gh: PackagesClient, owner: Owner, package_type: str, name: str) -> Package:
    """One package."""
    kind = cast(PackageType, package_type)
    if owner.kind == "user":
        return await gh.get_user_package(_name(owner), kind, name)
    if owner.kind == "org":
        return await gh.get_org_package(_name(owner), kind, name)
    return await gh.get_authenticated_user_package(kind, name)


async def get_version(
    gh: PackagesClient, owner: Owner, package_type: str, name: str, version_id: int
) -> PackageVersion:
    """One version of a package."""
    kind = cast(PackageType, package_type)
    if owner.kind == "user":
        return await gh.get_user_package_version(_name(owner), kind, name, version_id)
    if owner.kind == "org":
        return await gh.get_org_package_version(_name(owner), kind, name, version_id)
    return await gh.get_authenticated_user_package_version(kind, name, version_id)


async def delete(
    gh: PackagesClient, owner: Owner, package_type: str, name: str, version_id: int | None
) -> None:
    """Delete the package, or one of its versions when ``version_id`` is given."""
    kind = cast(PackageType, package_type)
    if version_id is not None:
        if owner.kind == "user":
            await gh.delete_user_package_version(_name(owner), kind, name, version_id)
        elif owner.kind == "org":
            await gh.delete_org_package_version(_name(owner), kind, name, version_id)
        else:
            await gh.delete_authenticated_user_package_version(kind, name, version_id)
    elif owner.kind == "user":
        await gh.delete_user_package(_name(owner), kind, name)
    elif owner.kind == "org":
        await gh.delete_org_package(_name(owner), kind, name)
    else:
        await gh.delete_authenticated_user_package(kind, name)


async def restore(
    gh: PackagesClient,
    owner: Owner,
    package_type: str,
    name: str,
    version_id: int | None,
    package_token: str | None,
) -> None:
    """Restore the package (with its optional restore token), or one of its versions."""
    kind = cast(PackageType, package_type)
    if version_id is not None:
        if owner.kind == "user":
            await gh.restore_user_package_version(_name(owner), kind, name, version_id)
        elif owner.kind == "org":
            await gh.restore_org_package_version(_name(owner), kind, name, version_id)
        else:
            await gh.restore_authenticated_user_package_version(kind, name, version_id)
    elif owner.kind == "user":
        await gh.restore_user_package(_name(owner), kind, name, token=package_token)
    elif owner.kind == "org":
        await gh.restore_org_package(_name(owner), kind, name, token=package_token)
    else:
        await gh.restore_authenticated_user_package(kind, name, token=package_token)


async def prune(
    gh: PackagesClient,
    owner: Owner,
    package_type: str,
    name: str,
    policy: RetentionPolicy,
    *,
    dry_run: bool,
    max_deletions: int,
    journal: str | None,
    now: datetime,
    on_progress: ProgressHook | None = None,
) -> RetentionReport:
    """Plan (and unless ``dry_run``, apply) ``policy`` to the package's versions."""
    kind = cast(PackageType, package_type)
    if owner.kind == "user":
        return await gh.prune_user_package_versions(
            _name(owner), kind, name, policy, dry_run=dry_run, max_deletions=max_deletions,
            journal=journal, now=now, on_progress=on_progress,
        )  # fmt: skip
    if owner.kind == "org":
        return await gh.prune_org_package_versions(
            _name(owner), kind, name, policy, dry_run=dry_run, max_deletions=max_deletions,
            journal=journal, now=now, on_progress=on_progress,
        )  # fmt: skip
    return await gh.prune_authenticated_user_package_versions(
        kind, name, policy, dry_run=dry_run, max_deletions=max_deletions, journal=journal,
        now=now, on_progress=on_progress,
    )  # fmt: skip
