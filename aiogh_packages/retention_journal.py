"""The retention journal: its records (JSON lines), and reading and appending them.

A journal is append-only JSON lines, fsynced line by line, so that a run killed at any
moment leaves every complete line readable:

- ``plan`` (:class:`JournalPlan`): the first line of a package's section (owner, package,
  API host, policy, planned ids), so ``prune --resume`` can finish the run;
- a version line (:class:`JournalEntry`): ``pending`` before each DELETE, then its outcome;
  0.1 journals have only deletions, which read as ``deleted``;
- ``untag`` (:class:`JournalUntag`): a tag moved off an image, with its manifest, for undo.

A torn last line (the crash case) is set aside in :attr:`Journal.torn_tail`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Literal

import msgspec

from ._sansio.retention_plan import RetentionPolicy, Rule
from ._sansio.routes import OwnerKind
from .models import PackageType
from .owner import Owner

__all__ = [
    "Journal",
    "JournalEntry",
    "JournalPlan",
    "JournalStatus",
    "JournalUntag",
    "append_to_journal",
    "load_journal",
    "maybe_deleted",
    "open_journal",
    "read_journal",
    "section_key",
    "write_record",
]

JournalStatus = Literal["pending", "deleted", "already_gone", "retained", "changed", "failed"]


class JournalEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a journal about one version: its status and when.

    Journals written by 0.1 have only deletions (``status`` absent: ``deleted``, time in
    ``deleted_at``); they read as such.
    """

    owner_kind: OwnerKind
    owner: str | None
    package_type: PackageType
    package_name: str
    version_id: int
    name: str = ""
    tags: tuple[str, ...] = ()
    status: JournalStatus = "deleted"
    at: datetime | None = None
    deleted_at: datetime | None = None
    reason: str | None = None
    api_url: str | None = None

    @property
    def owner_value(self) -> Owner:
        """The entry's owner as an :class:`~aiogh_packages.Owner`."""
        return Owner(self.owner_kind, self.owner)


class JournalPlan(msgspec.Struct, frozen=True, kw_only=True, tag_field="record", tag="plan"):
    """The first journal line of a package's section: what the run set out to delete.

    A plan made by image also records the by-image rules of planned ids (``rules``: those
    other than ``delete``) and the images each ``cascade`` child goes with, so a resumed run
    re-checks them as the first run would and never deletes a child whose image stays.
    """

    owner_kind: OwnerKind
    owner: str | None
    package_type: PackageType
    package_name: str
    planned: tuple[int, ...]
    policy: RetentionPolicy | None = None
    api_url: str | None = None
    at: datetime | None = None
    rules: dict[int, Rule] = msgspec.field(default_factory=dict)
    goes_with: dict[int, tuple[int, ...]] = msgspec.field(default_factory=dict)

    @property
    def owner_value(self) -> Owner:
        """The section's owner as an :class:`~aiogh_packages.Owner`."""
        return Owner(self.owner_kind, self.owner)


class JournalUntag(msgspec.Struct, frozen=True, kw_only=True, tag_field="record", tag="untag"):
    """A tag moved off an image (``prune --untag``), with what undo needs to move it back.

    ``pending`` is written before the tag moves; ``untagged`` once the placeholder version
    is deleted. ``manifest`` is the image's manifest exactly as the registry stored it.
    """

    owner_kind: OwnerKind
    owner: str | None
    package_name: str
    version_id: int
    tag: str
    digest: str
    media_type: str
    manifest: str
    status: Literal["pending", "untagged", "failed"] = "pending"
    placeholder: str | None = None
    placeholder_id: int | None = None
    reason: str | None = None
    at: datetime | None = None
    api_url: str | None = None

    @property
    def owner_value(self) -> Owner:
        """The untag's owner as an :class:`~aiogh_packages.Owner`."""
        return Owner(self.owner_kind, self.owner)


class Journal(msgspec.Struct, frozen=True, kw_only=True):
    """A journal's complete lines, and the torn last line if a crash left one."""

    plans: tuple[JournalPlan, ...] = ()
    entries: tuple[JournalEntry, ...] = ()
    torn_tail: str | None = None
    untags: tuple[JournalUntag, ...] = ()

    @property
    def api_url(self) -> str | None:
        """The API root the journal's run talked to (None for 0.1 journals)."""
        urls = [p.api_url for p in self.plans] + [e.api_url for e in self.entries]
        urls += [u.api_url for u in self.untags]
        return next((u for u in urls if u), None)


def write_record(handle: IO[str], record: JournalPlan | JournalEntry | JournalUntag) -> None:
    """Append one line to an open journal and make it durable before going on (write-ahead)."""
    handle.write(msgspec.json.encode(record).decode() + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def append_to_journal(path: str | Path, record: JournalPlan | JournalEntry | JournalUntag) -> None:
    """Append one record to the journal at ``path`` and make it durable (write-ahead)."""
    with Path(path).open("a", encoding="utf-8") as handle:
        write_record(handle, record)


@contextlib.contextmanager
def open_journal(path: str | Path | None) -> Iterator[IO[str] | None]:
    if path is None:
        yield None
        return
    with Path(path).open("a", encoding="utf-8") as handle:
        yield handle


_LINE = msgspec.json.Decoder()
_PLAN = msgspec.json.Decoder(JournalPlan)


def _parse_line(line: str) -> JournalPlan | JournalEntry | JournalUntag:
    data = _LINE.decode(line)
    if isinstance(data, dict) and data.get("record") == "plan":
        return _PLAN.decode(line)  # typed from the text: its dicts have int keys
    if isinstance(data, dict) and data.get("record") == "untag":
        return msgspec.convert(data, JournalUntag)
    return msgspec.convert(data, JournalEntry)


def load_journal(path: str | Path) -> Journal:
    """Every complete line of a journal; a torn (undecodable) last line is set aside.

    Raises:
        FileNotFoundError: there is no such file.
        ValueError: a line other than the last is not a journal line (names file and line).
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    records: list[JournalPlan | JournalEntry | JournalUntag] = []
    torn = None
    for index, (number, line) in enumerate(numbered):
        try:
            records.append(_parse_line(line))
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            if index == len(numbered) - 1:
                torn = line
                break
            raise ValueError(f"{path}:{number}: not a journal line: {exc}") from exc
    return Journal(
        plans=tuple(r for r in records if isinstance(r, JournalPlan)),
        entries=tuple(r for r in records if isinstance(r, JournalEntry)),
        untags=tuple(r for r in records if isinstance(r, JournalUntag)),
        torn_tail=torn,
    )


def read_journal(path: str | Path) -> list[JournalEntry]:
    """The version entries of a journal, in the order they were written (torn tail skipped)."""
    return list(load_journal(path).entries)


def section_key(e: JournalEntry | JournalPlan) -> tuple[str, str | None, str, str]:
    return (e.owner_kind, e.owner, e.package_type, e.package_name)


def maybe_deleted(entries: tuple[JournalEntry, ...]) -> list[JournalEntry]:
    """One entry per version whose DELETE may have been applied, in journal order."""
    seen: dict[tuple[tuple[str, str | None, str, str], int], JournalEntry] = {}
    for e in entries:
        if e.status in ("pending", "deleted"):
            seen.setdefault((section_key(e), e.version_id), e)
    return list(seen.values())
