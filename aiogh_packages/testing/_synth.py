"""Deterministic synthetic data: many versions with mixed tags and ages, many packages.

Everything here depends only on its arguments (randomness is seeded from the package's
identity), so a store built twice with the same ``now`` is identical.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .records import PackageRecord, VersionRecord
    from .store import Store

__all__ = ["add_many_packages", "add_many_versions", "synth_versions"]

Planned = tuple[str, tuple[str, ...], datetime]


def _semver(index: int) -> str:
    return f"{1 + index // 40}.{(index // 8) % 5}.{index % 8}"


def _container_tags(rng: random.Random, index: int, digest: str, newest: bool) -> tuple[str, ...]:
    tags: list[str] = []
    if newest:
        tags.append("latest")
    if index % 4 == 0:
        tags.append(_semver(index // 4))
    if rng.random() < 0.3:
        tags.append(f"sha-{digest[:7]}")
    return tuple(tags)


def synth_versions(
    seed: str, package_type: str, count: int, *, start: int, now: datetime, span: timedelta
) -> list[Planned]:
    """``count`` (name, tags, created_at) triples, oldest first, spread over ``span`` to ``now``.

    ``start`` is how many versions the package already has, so names never repeat. Container
    and docker versions are digests; about a third carry a ``sha-`` tag, every fourth a
    semver tag and the newest ``latest``. Other types are named by increasing semver.
    """
    rng = random.Random(f"{seed}/{start}")
    step = span / max(count, 1)
    docker_like = package_type in ("container", "docker")
    planned: list[Planned] = []
    for i in range(count):
        index = start + i
        at = now - step * (count - 1 - i) - step * rng.random() * 0.5
        at = at.replace(microsecond=0)
        if docker_like:
            digest = hashlib.sha256(f"{seed}#{index}".encode()).hexdigest()
            tags = _container_tags(rng, index, digest, newest=i == count - 1)
            planned.append((f"sha256:{digest}", tags, at))
        else:
            planned.append((_semver(index), (), at))
    return planned


def add_many_versions(
    store: Store,
    owner: str,
    package_type: str,
    name: str,
    count: int,
    now: datetime,
    span: timedelta,
) -> list[VersionRecord]:
    """Add synthetic versions to a package (created public if missing); see ``synth_versions``."""
    with store.lock:
        package = store.package(owner, package_type, name)
        if package is None:
            package = store.add_package(owner, package_type, name)
        plan = synth_versions(
            f"{package.owner.login}/{package_type}/{name}",
            package_type,
            count,
            start=len(package.versions),
            now=now,
            span=span,
        )
        return [
            store.add_version(owner, package_type, name, vname, tags=tags, created_at=at)
            for vname, tags, at in plan
        ]


def add_many_packages(
    store: Store,
    owner: str,
    package_type: str,
    count: int,
    *,
    visibility: str,
    versions: int,
    now: datetime,
) -> list[PackageRecord]:
    """Add ``package-NNNN`` packages (skipping taken names), an hour apart, oldest first."""
    hour = timedelta(hours=1)
    made: list[PackageRecord] = []
    index = 0
    with store.lock:
        while len(made) < count:
            name = f"package-{index:04d}"
            index += 1
            if store.package(owner, package_type, name) is not None:
                continue
            when = now - (count - len(made)) * hour
            made.append(
                store.add_package(owner, package_type, name, visibility=visibility, created_at=when)
            )
            if versions:
                add_many_versions(
                    store, owner, package_type, name, versions, when + hour / 2, hour / 4
                )
    return made
