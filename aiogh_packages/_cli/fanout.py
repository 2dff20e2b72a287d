"""``fan-out``: list the packages of many users and organizations concurrently."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import msgspec

from .._sansio.routes import OwnerKind
from ..client import PackagesClient
from ..fanout import FanOutItem, FanOutResult
from ..models import Package
from ..pagination import Listing
from .errors import ExitCode, UsageError, describe_failure, redact
from .render import PACKAGE_HEADER, Out, Progress, package_row, table
from .session import aclose, make_client

__all__ = [
    "FanOutOutcome",
    "OwnerRef",
    "collect",
    "failure_lines",
    "fan_out",
    "owners_from_args",
    "parse_owners",
]

OwnerRef = tuple[OwnerKind, str]
"""``(kind, login)`` with kind ``user`` or ``org``."""


class OwnerPackage(msgspec.Struct, frozen=True):
    """One package found by a fan-out, with the owner it was listed for (JSON output)."""

    owner: str
    package: Package


class OwnerFailure(msgspec.Struct, frozen=True):
    """An owner whose listing failed, with the exit code that failure alone would have."""

    owner: str
    error: str
    exit_code: int


class FanOutDocument(msgspec.Struct, frozen=True):
    """The ``--json`` document of a fan-out."""

    packages: list[OwnerPackage]
    failures: list[OwnerFailure]


@dataclass
class FanOutOutcome:
    """Everything a fan-out produced: packages in arrival order and failures by owner."""

    owners: list[OwnerRef]
    packages: list[tuple[str, Package]] = field(default_factory=list)
    failures: dict[str, Exception] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)

    def summary(self) -> str:
        """``685 packages from 40 owners (2 had none); 1 of 41 owners failed``."""
        listed = len(self.owners) - len(self.failures)
        empty = len(self.owners) - len(self.answered)
        text = f"{len(self.packages)} packages from {listed} owners"
        text += f" ({empty} had none)" if empty else ""
        if self.failures:
            text += f"; {len(self.failures)} of {len(self.owners)} owners failed"
        return text


def parse_owners(lines: Iterable[str], default_kind: str | None, source: str) -> list[OwnerRef]:
    """Owners from ``user:NAME``/``org:NAME``/``NAME`` lines; ``#`` comments, blanks skipped."""
    found: list[OwnerRef] = []
    for number, raw in enumerate(lines, 1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        prefix, colon, rest = text.partition(":")
        if colon and prefix.strip() not in ("user", "org"):
            raise UsageError(f"{source}:{number}: unknown prefix {prefix!r}: use user: or org:")
        if not colon and default_kind is None:
            raise UsageError(
                f"{source}:{number}: {text!r} has no user:/org: prefix; add one, or pass "
                "--owner-kind user|org"
            )
        kind, name = (prefix.strip(), rest.strip()) if colon else (str(default_kind), text)
        if not name or any(c.isspace() for c in name):
            raise UsageError(f"{source}:{number}: {text!r} is not one owner name")
        found.append((cast(OwnerKind, kind), name))
    return found


def _read_lines(path: str) -> list[str]:
    if path == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --from-file {path}: {exc}") from None


def owners_from_args(args: argparse.Namespace) -> list[OwnerRef]:
    """The owners of ``--users``, ``--orgs`` or ``--from-file``, first occurrence kept."""
    if args.from_file is None and args.owner_kind is not None:
        raise UsageError("--owner-kind applies to --from-file only")
    if args.from_file is not None:
        owners = parse_owners(_read_lines(args.from_file), args.owner_kind, args.from_file)
    else:
        kind, names = ("user", args.users) if args.users is not None else ("org", args.orgs)
        owners = parse_owners(names.split(","), kind, f"--{kind}s")
    unique: dict[str, OwnerRef] = {}
    for kind, name in owners:
        unique.setdefault(name.lower(), (kind, name))
    if not unique:
        raise UsageError("no owners given")
    return list(unique.values())


def results(
    gh: PackagesClient,
    owners: Sequence[OwnerRef],
    package_type: str,
    visibility: str | None,
    per_page: int,
) -> AsyncIterator[FanOutResult[OwnerRef, Package]]:
    """Every owner's packages, users and organizations alike, in one concurrent fan-out.

    The arguments are checked before anything is sent.
    """
    gh._package_query(package_type, visibility, per_page)

    def listing(owner: OwnerRef) -> Listing[Package]:
        return gh._list_packages(*owner, package_type, visibility, per_page)

    return gh.fan_out(owners, listing)


async def collect(
    stream: AsyncIterator[FanOutResult[OwnerRef, Package]],
    outcome: FanOutOutcome,
    out: Out,
    *,
    jsonl: bool = False,
) -> None:
    """Gather ``stream`` into ``outcome``, streaming JSON lines and drawing progress."""
    progress = Progress(out)
    total = len(outcome.owners)
    try:
        async for result in stream:
            name = result.owner[1]
            outcome.answered.add(name)
            if isinstance(result, FanOutItem):
                outcome.packages.append((name, result.item))
                if jsonl:
                    out.jsonl([OwnerPackage(name, result.item)])
            else:
                outcome.failures[name] = result.error
            progress.update(
                f"fan-out: {len(outcome.packages)} packages, {len(outcome.answered)}/{total} "
                f"owners answered, {len(outcome.failures)} failed"
            )
    finally:
        progress.clear()
        await aclose(stream)


def failure_lines(outcome: FanOutOutcome, secrets: tuple[str, ...] = ()) -> list[str]:
    """A heading and one line per failed owner (none when every owner was listed)."""
    if not outcome.failures:
        return []
    lines = [f"{len(outcome.failures)} of {len(outcome.owners)} owners failed:"]
    for owner, error in outcome.failures.items():
        lines.append(f"  {owner}: {redact(describe_failure(error)[1], secrets)}")
    return lines


def _document(outcome: FanOutOutcome) -> FanOutDocument:
    failures = [
        OwnerFailure(owner, describe_failure(error)[1], int(describe_failure(error)[0]))
        for owner, error in outcome.failures.items()
    ]
    packages = [OwnerPackage(owner, pkg) for owner, pkg in outcome.packages]
    return FanOutDocument(packages, failures)


def _by_owner(outcome: FanOutOutcome) -> list[tuple[str, Package]]:
    order = {name.lower(): index for index, (_, name) in enumerate(outcome.owners)}
    return sorted(outcome.packages, key=lambda pair: order.get(pair[0].lower(), len(order)))


async def fan_out(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``fan-out``: packages of many owners; exit 7 when any owner failed."""
    outcome = FanOutOutcome(owners_from_args(args))
    async with make_client(args, token) as gh:
        stream = results(gh, outcome.owners, args.package_type, args.visibility, args.per_page)
        await collect(stream, outcome, out, jsonl=args.jsonl)
    if args.json:
        out.json(_document(outcome))
    elif not args.jsonl:
        rows = (package_row(pkg, owner) for owner, pkg in _by_owner(outcome))
        out.lines(table(PACKAGE_HEADER, rows, out.style))
        out.line(out.style(outcome.summary(), "dim"))
    for line in failure_lines(outcome, (token or "",)):
        out.note(line)
    return ExitCode.OWNERS_FAILED if outcome.failures else ExitCode.OK
