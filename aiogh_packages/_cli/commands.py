"""The single-owner commands: packages, versions, get, delete, restore and auth-status."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable, Sequence
from typing import TypeVar

import msgspec

from .._sansio.auth import AuthStatus, TokenKind
from ..client import DEFAULT_BASE_URL, PackagesClient
from ..errors import NotFoundAfterRetryError, NotFoundError
from ..models import Package, PackageVersion
from ..pagination import Listing
from . import doctor, ops
from .errors import ExitCode, Missing, in_cli_terms
from .render import (
    PACKAGE_HEADER,
    VERSION_HEADER,
    Out,
    TableStream,
    package_row,
    rate_limit_line,
    timestamp,
    version_row,
)
from .session import (
    Owner,
    aclose,
    check_state_option,
    confirm,
    make_client,
    note_if_unauthenticated,
    owner_of,
)

__all__ = [
    "auth_status",
    "delete",
    "get",
    "list_packages",
    "list_versions",
    "restore",
    "shell_hint",
]

T = TypeVar("T")

_KINDS: dict[TokenKind, str] = {
    "classic": "personal access token (classic)",
    "fine-grained": "fine-grained personal access token",
    "oauth": "OAuth app token",
    "installation": "Actions GITHUB_TOKEN or GitHub App installation token",
    "user-to-server": "GitHub App user-to-server token",
    "unknown": "unrecognised prefix (not ghp_, github_pat_, gho_, ghs_ or ghu_)",
    "none": "none",
}
_ABILITIES = (
    ("read", "read:packages"),
    ("delete", "delete:packages"),
    ("restore", "write:packages"),
)


async def emit_listing(
    listing: Listing[T],
    args: argparse.Namespace,
    out: Out,
    header: Sequence[str],
    row: Callable[[T], Sequence[str]],
    noun: str,
) -> int:
    """Print a listing as it arrives: table rows or JSON lines per page, or one JSON array.

    Returns how many items were printed.
    """
    items: list[T] = []
    rows = TableStream(out, header)
    pages = listing.pages()
    try:
        async for page in pages:
            if args.json:
                items.extend(page.items)
            elif args.jsonl:
                out.jsonl(page.items)
                rows.count += len(page.items)
            else:
                rows.add(map(row, page.items))
    finally:
        await aclose(pages)
    if args.json:
        out.json(items)
        return len(items)
    if not args.jsonl:
        rows.close()
        out.line(out.style(f"{rows.count} {noun}{'' if rows.count == 1 else 's'}", "dim"))
    return rows.count


async def list_packages(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``packages``: the packages of one owner."""
    owner = owner_of(args)
    async with make_client(args, token) as gh:
        listing = ops.list_packages(gh, owner, args.package_type, args.visibility, args.per_page)
        count = await emit_listing(listing, args, out, PACKAGE_HEADER, package_row, "package")
    note_if_unauthenticated(out, token, count)
    return ExitCode.OK


async def list_versions(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``versions``: the versions of one package, newest first."""
    owner = owner_of(args)
    check_state_option(owner, args.state)
    async with make_client(args, token) as gh:
        listing = ops.list_versions(
            gh, owner, args.package_type, args.package, args.state, args.per_page
        )
        count = await emit_listing(listing, args, out, VERSION_HEADER, version_row, "version")
    note_if_unauthenticated(out, token, count)
    return ExitCode.OK


def _fields(out: Out, pairs: Sequence[tuple[str, str]]) -> None:
    width = max(len(key) for key, _ in pairs)
    for key, value in pairs:
        out.line(f"{out.style(key.ljust(width), 'bold')}  {value}")


def _package_fields(pkg: Package) -> list[tuple[str, str]]:
    repo = pkg.repository.full_name if pkg.repository else "-"
    return [
        ("id", str(pkg.id)), ("name", pkg.name), ("type", pkg.package_type),
        ("owner", pkg.owner.login if pkg.owner else "-"), ("visibility", pkg.visibility),
        ("versions", str(pkg.version_count)), ("repository", repo),
        ("created", timestamp(pkg.created_at)), ("updated", timestamp(pkg.updated_at)),
        ("url", pkg.html_url),
    ]  # fmt: skip


def _version_fields(version: PackageVersion) -> list[tuple[str, str]]:
    return [
        ("id", str(version.id)), ("name", version.name),
        ("tags", ", ".join(version.tags) or "-"), ("created", timestamp(version.created_at)),
        ("updated", timestamp(version.updated_at)), ("deleted", timestamp(version.deleted_at)),
        ("license", version.license or "-"), ("description", version.description or "-"),
        ("url", version.html_url or version.package_html_url),
    ]  # fmt: skip


async def get(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``get``: one package, or one version with ``--version-id``."""
    owner = owner_of(args)
    async with make_client(args, token) as gh:
        if args.version_id is None:
            found: Package | PackageVersion = await ops.get_package(
                gh, owner, args.package_type, args.package
            )
        else:
            found = await ops.get_version(
                gh, owner, args.package_type, args.package, args.version_id
            )
    if args.json:
        out.json(found)
    elif isinstance(found, Package):
        _fields(out, _package_fields(found))
    else:
        _fields(out, _version_fields(found))
    return ExitCode.OK


def describe_target(owner: Owner, args: argparse.Namespace) -> str:
    """``version 45763 of container package 'hello_docker' (user octocat)``."""
    what = f"{args.package_type} package {args.package!r} ({owner})"
    return what if args.version_id is None else f"version {args.version_id} of {what}"


def shell_hint(words: Sequence[str], base_url: str | None) -> str:
    """``aiogh-packages WORDS...`` quoted for a shell, with ``--base-url`` unless the default.

    Hints are meant to be pasted: without the API host they would go to api.github.com.
    """
    host = [] if base_url in (None, DEFAULT_BASE_URL) else ["--base-url", str(base_url)]
    return shlex.join(["aiogh-packages", *words, *host])


def _command_line(command: str, owner: Owner, args: argparse.Namespace) -> str:
    scope = ["--me"] if owner.name is None else [f"--{owner.kind}", owner.name]
    words = [command, *scope, "--type", args.package_type, args.package]
    if args.version_id is not None:
        words += ["--version-id", str(args.version_id)]
    return shell_hint(words, args.base_url)


async def _check_exists(gh: PackagesClient, owner: Owner, args: argparse.Namespace) -> None:
    """GET the target, so a missing one fails (exit 3) before any prompt or DELETE."""
    if args.version_id is None:
        await ops.get_package(gh, owner, args.package_type, args.package)
    else:
        await ops.get_version(gh, owner, args.package_type, args.package, args.version_id)


async def delete(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``delete``: a package or one version, after a GET and a confirmation (dry run: GET)."""
    owner = owner_of(args)
    target = describe_target(owner, args)
    async with make_client(args, token) as gh:
        await _check_exists(gh, owner, args)
        if args.dry_run:
            out.line(f"dry run: would delete {target}; nothing was changed")
            return ExitCode.OK
        confirm(out, f"delete {target}", yes=args.yes, note="(restorable for 30 days)")
        try:
            await ops.delete(gh, owner, args.package_type, args.package, args.version_id)
        except NotFoundAfterRetryError:
            out.note("an attempt lost its answer but GitHub applied it")
    out.line(f"deleted {target}")
    out.note(f"to restore it within 30 days: {_command_line('restore', owner, args)}")
    return ExitCode.OK


async def _check_restorable(gh: PackagesClient, owner: Owner, args: argparse.Namespace) -> str:
    """Raise Missing unless the target may be deleted; return a note on what was unchecked."""
    target = describe_target(owner, args)
    if args.version_id is not None and owner.kind != "user":
        listing = ops.list_versions(
            gh, owner, args.package_type, args.package, "deleted", args.per_page
        )
        if not [v async for v in listing if v.id == args.version_id]:
            raise Missing(f"not found: {target} is not among the deleted versions")
        return ""
    try:
        await _check_exists(gh, owner, args)
    except NotFoundError:  # GitHub does not show deleted packages, nor a user's deleted versions
        return " (GitHub shows no deleted one to check against)"
    raise Missing(f"not found: {target} is not deleted, so there is nothing to restore")


async def restore(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``restore``: a deleted package or version (``--dry-run``: check it, restore nothing)."""
    owner = owner_of(args)
    target = describe_target(owner, args)
    async with make_client(args, token) as gh:
        if args.dry_run:
            unchecked = await _check_restorable(gh, owner, args)
            out.line(f"dry run: would restore {target}{unchecked}; nothing was changed")
            return ExitCode.OK
        await ops.restore(
            gh, owner, args.package_type, args.package, args.version_id, args.package_token
        )
    out.line(f"restored {target}")
    return ExitCode.OK


def _abilities(status: AuthStatus) -> str:
    if not status.scopes:
        return "not told (no X-OAuth-Scopes: permissions come from the workflow or app)"
    return ", ".join(
        f"{verb} {'yes' if scope in status.scopes else f'no (needs {scope})'}"
        for verb, scope in _ABILITIES
    )


def _auth_fields(status: AuthStatus, source: str) -> list[tuple[str, str]]:
    return [
        ("login", status.login or "-"),
        ("token", _KINDS.get(status.kind, status.kind)),
        ("source", source),
        ("scopes", ", ".join(status.scopes) or "-"),
        ("can", _abilities(status)),
        ("rate limit", rate_limit_line(status.rate_limit)),
        ("status", "ok" if status.ok else f"unusable ({len(status.problems)} problem(s))"),
    ]


async def auth_status(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``auth-status``: who the token is, what it may do; exit 4 when it is unusable."""
    required = tuple(dict.fromkeys(("read:packages", *args.require)))
    async with make_client(args, token) as gh:
        status = await gh.auth_status(required)
    source = doctor.token_source(args, token)
    if args.json:
        problems = [in_cli_terms(problem) for problem in status.problems]
        document = {**msgspec.to_builtins(status), "problems": problems, "ok": status.ok}
        out.json({**document, "source": source})
    else:
        _fields(out, _auth_fields(status, source))
        out.lines(doctor.ability_lines(status))
        for problem in status.problems:
            out.line(f"  {out.style('problem:', 'red', 'bold')} {in_cli_terms(problem)}")
    return ExitCode.OK if status.ok else ExitCode.AUTH
