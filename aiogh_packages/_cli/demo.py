"""``demo``: the real client against the built-in fake GitHub, no token and no network."""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from .._sansio.retention_plan import RetentionPolicy
from ..client import PackagesClient
from ..models import Package, PackageVersion
from ..owner import Owner
from ..registry import RegistryClient
from ..retention import apply_retention
from ..testing import FakeGitHub, Store, add_multiarch_image, demo_store
from ..testing.seed import DEMO_NOW
from .errors import ExitCode
from .fanout import FanOutOutcome, collect, failure_lines, results
from .prune import short_name
from .render import (
    PACKAGE_HEADER,
    VERSION_HEADER,
    Out,
    package_row,
    rate_limit_line,
    table,
    version_row,
)

__all__ = ["demo"]

ROWS = 5
DEMO_TOKEN = "ghp_demo"  # the fake server accepts any token as a classic one of its first user


def _heading(out: Out, text: str) -> None:
    out.line()
    out.line(out.style(f"== {text}", "bold", "cyan"))


def _limited(out: Out, header: Sequence[str], rows: list[tuple[str, ...]], noun: str) -> None:
    out.lines(table(header, rows[:ROWS], out.style))
    if len(rows) > ROWS:
        out.line(out.style(f"… {len(rows) - ROWS} more {noun}", "dim"))


def _short_version_row(version: PackageVersion) -> tuple[str, ...]:
    row = version_row(version)
    return (row[0], short_name(row[1]), *row[2:])


async def _packages(gh: PackagesClient, out: Out, per_page: int) -> None:
    _heading(out, "Packages of the organization hooli (container), page by page")
    found: list[Package] = []
    pages = 0
    async for page in gh.iter_org_packages("hooli", "container", per_page=per_page).pages():
        pages += 1
        found.extend(page.items)
    out.line(f"{len(found)} packages in {pages} pages of up to {per_page} (Link headers followed)")
    _limited(out, PACKAGE_HEADER, [package_row(p) for p in found], "packages")


async def _versions(gh: PackagesClient, out: Out, per_page: int) -> None:
    _heading(out, "Versions of acme-corp/web-app (container), newest first, with their tags")
    listing = gh.iter_org_package_versions("acme-corp", "container", "web-app", per_page=per_page)
    versions = [v async for v in listing]
    tagged = sum(1 for v in versions if v.tags)
    out.line(f"{len(versions)} versions, {tagged} tagged, {len(versions) - tagged} untagged")
    _limited(out, VERSION_HEADER, [_short_version_row(v) for v in versions], "versions")


async def _retention(gh: PackagesClient, out: Out) -> None:
    policy = RetentionPolicy(
        keep_latest=10, older_than=timedelta(days=90), protect_tags=("latest", "[0-9]*")
    )
    _heading(out, "Retention dry run: keep 10 newest, older than 90d, protect latest and semver")
    report = await gh.prune_org_package_versions(
        "acme-corp", "container", "web-app", policy, dry_run=True, now=DEMO_NOW
    )
    plan = report.plan
    rules = Counter(item.rule for item in plan.to_keep).most_common()
    kept = ", ".join(f"{count} {rule}" for rule, count in rules)
    out.line(f"would delete {len(plan.to_delete)} of {len(plan.items)} versions; keep {kept}")
    for warning in plan.warnings:
        out.line(out.style("warning: " + _shorten(warning, 90), "yellow"))
    out.line(out.style("dry run: nothing was deleted", "dim"))


def _multiarch_store(store: Store) -> None:
    """acme-corp's container ``multiarch-app``: two buildx images and an untagged one (30 d old)."""
    old = DEMO_NOW - timedelta(days=30)
    package = "multiarch-app"
    add_multiarch_image(store, "acme-corp", package, tags=("v1", "latest"), signature=True,
                        created_at=old)  # fmt: skip
    add_multiarch_image(store, "acme-corp", package, tags=("v2",), created_at=old)
    add_multiarch_image(store, "acme-corp", package, tags=(), created_at=old)


async def _multiarch(gh: PackagesClient, out: Out, server: FakeGitHub) -> None:
    _heading(out, "Multi-arch dry run: delete untagged versions of acme-corp/multiarch-app")
    out.line("(manifests read from the fake registry: untagged platform images of tagged")
    out.line(" indexes are kept, an untagged image goes with its children)")
    async with RegistryClient(token=DEMO_TOKEN, registry_url=server.registry_url) as registry:
        report = await apply_retention(
            gh, Owner.org("acme-corp"), "container", "multiarch-app",
            RetentionPolicy(tagged="untagged"), dry_run=True, now=DEMO_NOW, registry=registry,
        )  # fmt: skip
    plan = report.plan
    needed = sorted(
        (p for p in plan.items if p.rule == "needed-by-image"), key=lambda p: p.role != "platform"
    )
    going = sum(1 for p in plan.to_delete if p.rule == "cascade")
    out.line(f"would delete {len(plan.to_delete)} of {len(plan.items)} versions "
             f"(an untagged image and {going} that go with it)")  # fmt: skip
    out.line(f"kept because a tagged index needs them: {len(needed)} versions, e.g.")
    for item in needed[:3]:
        out.line(f"  {short_name(item.version.name)} {item.role}: {_shorten(item.reason, 60)}")
    out.line(
        out.style(f"{registry.manifest_reads} manifests read; dry run: nothing was deleted", "dim")
    )


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _demo_owners(store: Store) -> list[Owner]:
    users = [Owner.user(o.login) for o in store.owners("User")]
    orgs = [Owner.org(o.login) for o in store.owners("Organization")]
    return [*users, *orgs, Owner.user("ghost")]


async def _fan_out(gh: PackagesClient, out: Out, store: Store, per_page: int) -> None:
    outcome = FanOutOutcome(_demo_owners(store))
    _heading(out, f"Fan-out: container packages of {len(outcome.owners)} owners, concurrently")
    out.line("(the last one, 'ghost', does not exist: its failure does not stop the others)")
    started = time.perf_counter()
    await collect(results(gh, outcome.owners, "container", None, per_page), outcome, out)
    elapsed = time.perf_counter() - started
    counts = Counter(str(owner.name) for owner, _ in outcome.packages).most_common(3)
    out.line(f"in {elapsed:.2f} s: {outcome.summary()}")
    out.line("most: " + ", ".join(f"{owner} {count}" for owner, count in counts))
    out.lines(failure_lines(outcome)[1:])


def _client(server: FakeGitHub, args: argparse.Namespace) -> PackagesClient:
    return PackagesClient(
        token=DEMO_TOKEN,
        base_url=server.base_url,
        points_per_minute=None,
        write_interval=0,
        max_concurrency=args.concurrency,
    )


async def demo(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``demo``: start the fake GitHub in-process and drive the real client through it."""
    del token  # the demo never uses a real token
    title = out.style("aiogh-packages demo", "bold")
    out.line(f"{title}: the real client against the built-in fake GitHub (no token, no network)")
    store = demo_store()
    _multiarch_store(store)
    async with FakeGitHub(store=store) as server, _client(server, args) as gh:
        status = await gh.auth_status()
        out.line(f"fake GitHub at {server.base_url}; the token authenticates as {status.login}")
        await _packages(gh, out, args.per_page)
        await _versions(gh, out, args.per_page)
        await _retention(gh, out)
        await _multiarch(gh, out, server)
        await _fan_out(gh, out, server.store, args.per_page)
        _heading(out, "Rate limit, as the last response reported it")
        out.line(f"{len(server.requests)} requests sent; {rate_limit_line(gh.rate_limit)}")
    out.line()
    out.line(
        "Next, against GitHub (token from --token, GITHUB_TOKEN, GH_TOKEN or `gh auth token`):"
    )
    out.line("  aiogh-packages packages --user NAME --type container")
    out.line("  aiogh-packages --help    (every command, option and exit code)")
    return ExitCode.OK
