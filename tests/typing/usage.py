"""Type-level usage of the public API: never run, checked by ``mypy --strict`` in CI."""

from __future__ import annotations

import contextlib
import typing
from datetime import datetime, timedelta

from aiogh_packages import (
    FanOut,
    FanOutItem,
    Owner,
    Package,
    PackagesClient,
    PackageVersion,
    PackageVisibility,
    Page,
    RateLimit,
    RetentionPlan,
    RetentionPolicy,
    VersionSummary,
    plan_retention,
)
from aiogh_packages.retention import RetentionReport, apply_plan


async def usage(token: str) -> None:
    async with PackagesClient(token=token, max_concurrency=4) as gh:
        pkg: Package
        async for pkg in gh.iter_user_packages("octocat", "container", visibility="public"):
            created = pkg.created_at.isoformat()
            assert created
        page: Page[PackageVersion]
        async for page in gh.iter_org_package_versions("o", "npm", "p", state="deleted").pages():
            limit: RateLimit | None = page.rate_limit
            assert limit is None or limit.remaining >= 0
        version = await gh.get_authenticated_user_package_version("container", "p", 1)
        tags: tuple[str, ...] = version.tags
        assert tags is not None
        async for result in gh.fan_out_org_packages(["a", "b"], "container"):
            if isinstance(result, FanOutItem):
                name: str = result.item.name
                assert name
        policy = RetentionPolicy(keep_latest=3, older_than=timedelta(days=30))
        report = await gh.prune_org_package_versions("o", "container", "p", policy, dry_run=True)
        assert report.plan.items is not None


async def fan_out_usage(gh: PackagesClient) -> None:
    async with contextlib.aclosing(gh.fan_out_user_packages(["a", "b"], "container")) as results:
        async for result in results:
            if isinstance(result, FanOutItem):
                break
    mixed: FanOut[Owner, Package] = gh.fan_out_packages(
        [Owner.parse("org:acme"), Owner.user("octocat")], "npm"
    )
    async with mixed:
        async for found in mixed:
            owner: Owner = found.owner
            assert owner.kind in ("user", "org", "authenticated_user")


def narrow_visibility(pkg: Package) -> PackageVisibility | None:
    if pkg.visibility in typing.get_args(PackageVisibility):
        return typing.cast(PackageVisibility, pkg.visibility)
    return None


async def summaries_usage(gh: PackagesClient, policy: RetentionPolicy, now: datetime) -> None:
    owner = Owner.org("acme")
    summaries = [r async for r in gh.iter_version_summaries(owner, "container", "app")]
    plan: RetentionPlan[VersionSummary] = plan_retention(summaries, policy, now=now)
    report: RetentionReport[VersionSummary] = await apply_plan(gh, owner, "container", "app", plan)
    first: VersionSummary = report.plan.items[0].version
    assert first.tags is not None


def a_bare_plan_holds_package_versions(plan: RetentionPlan) -> str:
    return plan.items[0].version.url  # the default: PackageVersion, with every field
