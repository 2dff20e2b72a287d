"""Deterministic synthetic data: many versions with mixed tags and ages, many packages.

Everything here depends only on its arguments (randomness is seeded from the package's
identity), so a store built twice with the same ``now`` is identical. Pure: it plans names,
tags and times and the :class:`~aiogh_packages.testing.Store` adds them.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Collection
from datetime import datetime, timedelta

__all__ = ["Planned", "plan_packages", "synth_versions"]

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


def plan_packages(taken: Collection[str], count: int, now: datetime) -> list[tuple[str, datetime]]:
    """``count`` free ``package-NNNN`` names (skipping ``taken``) with creation times an hour
    apart up to ``now``, oldest first."""
    hour = timedelta(hours=1)
    planned: list[tuple[str, datetime]] = []
    index = 0
    while len(planned) < count:
        name = f"package-{index:04d}"
        index += 1
        if name not in taken:
            planned.append((name, now - (count - len(planned)) * hour))
    return planned
