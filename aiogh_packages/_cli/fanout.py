"""``fan-out``: list the packages of many users and organizations concurrently.

Output has the shapes of ``packages``: the same table rows, printed as owners answer;
``--jsonl`` prints one package object per line as pages arrive, and one
``{"owner", "error", "exit_code"}`` record per failed owner; ``--json`` prints those same
records as one array.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import msgspec

from ..client import PackagesClient
from ..fanout import FanOut, FanOutItem
from ..models import Package, PackageType, PackageVisibility
from ..owner import Owner
from .errors import ExitCode, UsageError, describe_failure, redact
from .render import PACKAGE_HEADER, Out, Progress, TableStream, package_row
from .session import aclose, make_client, note_if_unauthenticated

__all__ = [
    "FanOutOutcome",
    "OwnerFailure",
    "collect",
    "failure_lines",
    "fan_out",
    "owners_from_args",
    "parse_owners",
]


_WIDTHS = (8, 24, 16, 10, 20)  # fixed: the first row of a fan-out says little about the rest


class OwnerFailure(msgspec.Struct, frozen=True):
    """A failed owner (``owner`` as ``user:NAME``/``org:NAME``) and its exit code."""

    owner: str
    error: str
    exit_code: int


@dataclass
class FanOutOutcome:
    """Everything a fan-out produced: packages in arrival order and failures by owner."""

    owners: list[Owner]
    packages: list[tuple[Owner, Package]] = field(default_factory=list)
    failures: dict[Owner, Exception] = field(default_factory=dict)
    answered: set[Owner] = field(default_factory=set)

    def summary(self) -> str:
        """``685 packages from 40 owners (2 had none); 1 of 41 owners failed``."""
        listed = len(self.owners) - len(self.failures)
        empty = len(self.owners) - len(self.answered)
        text = f"{len(self.packages)} packages from {listed} owners"
        text += f" ({empty} had none)" if empty else ""
        if self.failures:
            text += f"; {len(self.failures)} of {len(self.owners)} owners failed"
        return text


def parse_owners(lines: Iterable[str], default_kind: str | None, source: str) -> list[Owner]:
    """Owners from ``user:NAME``/``org:NAME``/``NAME`` lines; ``#`` comments, blanks skipped."""
    found: list[Owner] = []
    for number, raw in enumerate(lines, 1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        prefix, colon, _ = text.partition(":")
        if colon and prefix.strip() not in ("user", "org"):
            raise UsageError(f"{source}:{number}: unknown prefix {prefix!r}: use user: or org:")
        if not colon and default_kind is None:
            raise UsageError(
                f"{source}:{number}: {text!r} has no user:/org: prefix; add one, or pass "
                "--owner-kind user|org"
            )
        try:
            found.append(Owner.parse(text if colon else f"{default_kind}:{text}"))
        except ValueError:
            raise UsageError(f"{source}:{number}: {text!r} is not one owner name") from None
    return found


def _read_lines(path: str) -> list[str]:
    if path == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --from-file {path}: {exc}") from None


def owners_from_args(args: argparse.Namespace) -> list[Owner]:
    """The owners of ``--users`` and ``--orgs`` (combinable) or ``--from-file``, first kept."""
    if args.from_file is None and args.owner_kind is not None:
        raise UsageError("--owner-kind applies to --from-file only")
    if args.from_file is not None and (args.users is not None or args.orgs is not None):
        raise UsageError("--from-file cannot be combined with --users or --orgs")
    owners: list[Owner] = []
    if args.from_file is not None:
        owners = parse_owners(_read_lines(args.from_file), args.owner_kind, args.from_file)
    for kind, names in (("user", args.users), ("org", args.orgs)):
        if names is not None:
            owners += parse_owners(names.split(","), kind, f"--{kind}s")
    unique: dict[tuple[str, str], Owner] = {}
    for owner in owners:
        unique.setdefault((owner.kind, str(owner.name).lower()), owner)
    if not unique:
        raise UsageError("no owners given: pass --users, --orgs or --from-file")
    return list(unique.values())


def results(
    gh: PackagesClient,
    owners: Sequence[Owner],
    package_type: str,
    visibility: str | None,
    per_page: int,
) -> FanOut[Owner, Package]:
    """Every owner's packages, users and organizations alike, in one concurrent fan-out.

    The arguments are checked before anything is sent.
    """
    ptype, vis = cast(PackageType, package_type), cast("PackageVisibility | None", visibility)
    return gh.fan_out_packages(owners, ptype, visibility=vis, per_page=per_page)


def _failure(owner: Owner, error: Exception, secrets: tuple[str, ...]) -> OwnerFailure:
    code, text = describe_failure(error)
    return OwnerFailure(owner.spec(), redact(text, secrets), int(code))


async def collect(
    stream: FanOut[Owner, Package],
    outcome: FanOutOutcome,
    out: Out,
    *,
    jsonl: bool = False,
    secrets: tuple[str, ...] = (),
    rows: TableStream | None = None,
) -> None:
    """Gather ``stream`` into ``outcome``, streaming JSON lines or ``rows`` and progress."""
    progress = Progress(out)
    total = len(outcome.owners)
    try:
        async for result in stream:
            outcome.answered.add(result.owner)
            if isinstance(result, FanOutItem):
                outcome.packages.append((result.owner, result.item))
                if jsonl:
                    out.jsonl([result.item])
                elif rows is not None:
                    progress.clear()
                    rows.add([package_row(result.item, result.owner.name)])
            else:
                outcome.failures[result.owner] = result.error
                if jsonl:
                    out.jsonl([_failure(result.owner, result.error, secrets)])
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
        lines.append(f"  {owner.name}: {redact(describe_failure(error)[1], secrets)}")
    return lines


def _records(outcome: FanOutOutcome, secrets: tuple[str, ...]) -> list[Package | OwnerFailure]:
    records: list[Package | OwnerFailure] = [pkg for _, pkg in _by_owner(outcome)]
    records += [_failure(owner, error, secrets) for owner, error in outcome.failures.items()]
    return records


def _by_owner(outcome: FanOutOutcome) -> list[tuple[Owner, Package]]:
    order = {owner: index for index, owner in enumerate(outcome.owners)}
    return sorted(outcome.packages, key=lambda pair: order.get(pair[0], len(order)))


async def fan_out(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``fan-out``: packages of many owners; exit 7 when any owner failed."""
    outcome = FanOutOutcome(owners_from_args(args))
    secrets = (token or "",)
    streamed = not (args.json or args.jsonl)  # rows print as owners answer, in arrival order
    rows = TableStream(out, PACKAGE_HEADER, min_widths=_WIDTHS) if streamed else None
    async with make_client(args, token) as gh:
        stream = results(gh, outcome.owners, args.package_type, args.visibility, args.per_page)
        await collect(stream, outcome, out, jsonl=args.jsonl, secrets=secrets, rows=rows)
    if args.json:
        out.json(_records(outcome, secrets))
    elif rows is not None:
        rows.close()
        out.line(out.style(outcome.summary(), "dim"))
    for line in failure_lines(outcome, secrets):
        out.note(line)
    note_if_unauthenticated(out, token, len(outcome.packages))
    return ExitCode.OWNERS_FAILED if outcome.failures else ExitCode.OK
