"""Removing tags from container images without deleting them, and putting them back (undo).

GHCR answers ``405`` to a tag DELETE: a tag can only be moved. So each tag goes in three
steps, journaled write-ahead like a deletion (:class:`~aiogh_packages.retention.JournalUntag`):

1. read the image's manifest bytes (kept in the journal line, written *before* step 2);
2. PUT a small placeholder manifest under the tag: the tag moves to the placeholder's digest,
   which the Packages API then lists as a new version;
3. delete that new version through the API (it is found by its digest).

Undo PUTs the original bytes under the tag again, so the tag points at the original digest.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import msgspec

from ._sansio.registry_wire import OCI_INDEX
from ._sansio.untag_plan import UntagPlan
from .client import PackagesClient
from .errors import PackagesError
from .models import PackageVersion
from .owner import Owner
from .registry import RegistryClient
from .retention_journal import JournalUntag, append_to_journal

__all__ = ["UntagOutcome", "placeholder_manifest", "retag_from_journal", "untag_images"]


class UntagOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What happened to one tag: ``untagged``, ``failed``, or ``skipped`` (and why)."""

    version_id: int
    tag: str
    outcome: Literal["untagged", "failed", "skipped"]
    reason: str = ""


def placeholder_manifest(tag: str, digest: str) -> bytes:
    """An empty OCI image index, unique to ``tag`` and the image it was moved off.

    An index with no entries references no blob, so the registry has nothing it could be
    missing: an image manifest would need its config blob uploaded first, and a registry
    refuses the PUT (``MANIFEST_BLOB_UNKNOWN``) without it.
    """
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "artifactType": "application/vnd.aiogh-packages.untag.v1",
        "manifests": [],
        "annotations": {
            "dev.aiogh-packages.untag.tag": tag,
            "dev.aiogh-packages.untag.from": digest,
        },
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


class _Untagger:
    """Moves tags off one package's images, journaling each step."""

    def __init__(
        self, gh: PackagesClient, registry: RegistryClient, owner: Owner, package: str,
        journal: str | Path | None,
    ) -> None:  # fmt: skip
        self.gh, self.registry, self.owner, self.package = gh, registry, owner, package
        self.journal = journal

    def _write(self, record: JournalUntag) -> None:
        if self.journal is not None:
            append_to_journal(self.journal, record)

    async def tag(self, version: PackageVersion, tag: str, original: tuple[str, bytes]) -> str:
        """Move ``tag`` off ``version`` and delete the placeholder; returns its version id."""
        media_type, body = original
        record = JournalUntag(
            owner_kind=self.owner.kind, owner=self.owner.name, package_name=self.package,
            version_id=version.id, tag=tag, digest=version.name, media_type=media_type,
            manifest=body.decode(), at=datetime.now(timezone.utc), api_url=self.gh.base_url,
        )  # fmt: skip
        self._write(record)
        placeholder = placeholder_manifest(tag, version.name)
        digest = await self.registry.put_manifest(
            self.owner, self.package, tag, placeholder, OCI_INDEX
        )
        placeholder_id = await self._version_id(digest)
        await self.gh.delete_package_version(self.owner, "container", self.package, placeholder_id)
        done = msgspec.structs.replace(
            record, status="untagged", placeholder=digest, placeholder_id=placeholder_id,
            at=datetime.now(timezone.utc),
        )  # fmt: skip
        self._write(done)
        return str(placeholder_id)

    async def _version_id(self, digest: str) -> int:
        """The id of the version named ``digest``, the listing stopped as soon as it is found.

        Versions list newest first, so a placeholder just pushed is on the first page.
        """
        listing = self.gh.iter_package_versions(self.owner, "container", self.package)
        async with contextlib.aclosing(listing):
            async for version in listing:
                if version.name == digest:
                    return version.id
        raise PackagesError(f"the placeholder {digest} is not listed as a version yet")


def _outcome(
    version: PackageVersion, tag: str, kind: Literal["untagged", "failed", "skipped"], reason: str
) -> UntagOutcome:
    return UntagOutcome(version_id=version.id, tag=tag, outcome=kind, reason=reason)


async def untag_images(
    gh: PackagesClient,
    registry: RegistryClient,
    owner: Owner,
    package: str,
    plan: UntagPlan,
    *,
    journal: str | Path | None = None,
    on_progress: Callable[[UntagOutcome], None] | None = None,
) -> list[UntagOutcome]:
    """Remove the tags ``plan`` names, one by one; a failure is reported and the rest go on."""
    untagger = _Untagger(gh, registry, owner, package, journal)
    outcomes = [_outcome(v, ",".join(v.tags), "skipped", why) for v, why in plan.skipped]
    for version, tags in plan.remove:
        try:
            original = await registry.get_manifest_bytes(owner, package, version.name)
        except PackagesError as exc:
            outcomes += [_outcome(version, t, "failed", str(exc)) for t in tags]
            continue
        for tag in tags:
            try:
                placeholder = await untagger.tag(version, tag, original)
            except PackagesError as exc:
                outcome = _outcome(version, tag, "failed", str(exc))
            else:
                outcome = _outcome(version, tag, "untagged", f"placeholder {placeholder} deleted")
            outcomes.append(outcome)
            if on_progress is not None:
                on_progress(outcome)
    return outcomes


async def retag_from_journal(
    registry: RegistryClient, untags: tuple[JournalUntag, ...]
) -> list[tuple[JournalUntag, str | None]]:
    """Put every journaled tag back on its original manifest: (record, error or None) each."""
    latest: dict[tuple[str, str | None, str, str], JournalUntag] = {}
    for record in untags:
        latest.setdefault(
            (record.owner_kind, record.owner, record.package_name, record.tag), record
        )
    results: list[tuple[JournalUntag, str | None]] = []
    for record in latest.values():
        try:
            await registry.put_manifest(
                record.owner_value, record.package_name, record.tag,
                record.manifest.encode(), record.media_type,
            )  # fmt: skip
        except (PackagesError, ValueError) as exc:
            results.append((record, str(exc)))
        else:
            results.append((record, None))
    return results
