"""The argument parser: subcommands, the options they share, and the owner scope."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import NoReturn

from .._sansio.retention_plan import parse_duration
from ..models import PACKAGE_STATES, PACKAGE_TYPES, PACKAGE_VISIBILITIES
from .errors import EXIT_CODES_HELP
from .options import WRITES, HelpFormatter, hoist_shared_options, parents

__all__ = ["build_parser", "parse_arguments"]

_DESCRIPTION = """\
List, inspect, clean up and restore GitHub Packages (the GitHub Packages REST API).
Without a subcommand, runs 'demo': the built-in fake GitHub, no token, no network.

The token comes from --token, else GITHUB_TOKEN, else GH_TOKEN, else `gh auth token`: a
personal access token (classic) with read:packages (delete:packages to delete,
write:packages to restore) or an Actions GITHUB_TOKEN. The API root is --base-url, else
$GITHUB_API_URL (what GitHub Actions sets), else https://api.github.com; GitHub
Enterprise Server: https://HOST/api/v3.
The shared options (--token, --base-url, --concurrency, ...) go before or after COMMAND.
"""

_TYPES = ", ".join(PACKAGE_TYPES)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose error messages never repeat a secret given on the command line."""

    secrets: tuple[str, ...]  # set per instance by build_parser; no class-level value

    def error(self, message: str) -> NoReturn:
        for secret in getattr(self, "secrets", ()):
            message = message.replace(secret, "***")
        super().error(message)


def _any_duration(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _duration(text: str) -> timedelta:
    value = _any_duration(text)
    if value <= timedelta(0):
        raise argparse.ArgumentTypeError(f"must be longer than zero, got {text!r}")
    return value


def _add_owner(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--user", metavar="NAME", help="a user's packages")
    group.add_argument("--org", metavar="NAME", help="an organization's packages")
    group.add_argument("--me", action="store_true", help="the token's own packages")


def _add_type(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument(
        "--type",
        required=required,
        choices=PACKAGE_TYPES,
        metavar="TYPE",
        dest="package_type",
        help=f"package type: {_TYPES}",
    )


def _add_formats(parser: argparse.ArgumentParser, *, jsonl: bool) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="print one JSON document")
    if jsonl:
        group.add_argument(
            "--jsonl", action="store_true", help="print one JSON object per line, as pages arrive"
        )


def _add_target(parser: argparse.ArgumentParser) -> None:
    _add_owner(parser)
    _add_type(parser)
    parser.add_argument("package", metavar="PACKAGE", help="the package name")


def _add_version_id(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--version-id", type=int, metavar="ID", help=f"{what} this version, not the package"
    )


_REPEATABLE_PATTERNS = (
    ("--protect-name", "never delete versions whose name matches (repeatable)"),
    ("--protect-tag", "never delete versions with a matching tag (repeatable)"),
    ("--exclude-tag", "leave versions with a matching tag alone (repeatable)"),
    ("--include-tag", "a tagged version is selected only when every tag matches one (repeatable)"),
)


def _add_policy(parser: argparse.ArgumentParser) -> None:
    policy = parser.add_argument_group("retention policy (rules apply in this order)")
    policy.add_argument(
        "--protect-id",
        type=int,
        action="append",
        default=[],
        metavar="ID",
        help="never delete this version id (repeatable)",
    )
    for flag, text in _REPEATABLE_PATTERNS:
        policy.add_argument(flag, action="append", default=[], metavar="PATTERN", help=text)
    _add_selection(policy)


def _add_selection(policy: argparse._ArgumentGroup) -> None:
    policy.add_argument(
        "--tag-state",
        choices=("any", "tagged", "untagged"),
        help="only consider tagged or untagged versions (default any; tagged with --include-tag)",
    )
    policy.add_argument(
        "--regex",
        action="store_true",
        help="patterns are full-match Python regular expressions, not globs",
    )
    policy.add_argument(
        "--prerelease-only",
        action="store_true",
        help="select only versions whose name is not a plain release like 1.2.3 (not containers)",
    )
    policy.add_argument(
        "--version-id",
        type=int,
        action="append",
        default=[],
        dest="version_ids",
        metavar="ID",
        help="select exactly these version ids (repeatable)",
    )
    for flag, what in (
        ("--keep-latest", "versions"),
        ("--keep-latest-tagged", "tagged versions"),
        ("--keep-latest-untagged", "untagged versions"),
    ):
        policy.add_argument(
            flag, type=int, metavar="N", help=f"always keep the N newest selected {what}"
        )
    policy.add_argument(
        "--older-than",
        type=_duration,
        metavar="DURATION",
        help="delete only versions older than this: 30d, 2w, 1d12h, 90m",
    )
    policy.add_argument(
        "--age-by",
        choices=("created", "updated"),
        default="updated",
        help="rank and age versions by updated_at (default) or created_at",
    )


def _add_prune(parser: argparse.ArgumentParser) -> None:
    _add_owner(parser, required=False)
    _add_type(parser, required=False)
    parser.add_argument("package", nargs="?", metavar="PACKAGE", help="the package name")
    which = parser.add_argument_group("packages (instead of PACKAGE)")
    which.add_argument(
        "--package",
        action="append",
        default=[],
        dest="packages",
        metavar="NAME",
        help="a package to prune (repeatable)",
    )
    which.add_argument(
        "--package-glob", metavar="GLOB", help="every package of the owner whose name matches"
    )
    _add_policy(parser)
    _add_images(parser)
    _add_confirmation(parser, "delete")
    run = parser.add_argument_group("apply")
    run.add_argument(
        "--journal",
        metavar="FILE",
        help="append the plan and each deletion's intent and outcome to FILE, for undo/--resume",
    )
    run.add_argument(
        "--max-deletions",
        type=int,
        default=100,
        metavar="N",
        help="refuse (exit 8) a run deleting more than N versions (default 100)",
    )
    run.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="delete only the N oldest planned versions; the next run continues",
    )
    run.add_argument(
        "--no-recheck",
        action="store_false",
        dest="recheck",
        help="skip the GET that re-checks each version right before its DELETE",
    )
    run.add_argument(
        "--resume",
        metavar="JOURNAL",
        help="finish the interrupted run a journal records (no other selection needed)",
    )
    _add_formats(parser, jsonl=False)


def _add_registry(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--registry-url", metavar="URL", help="registry (default: beside --base-url)"
    )
    parser.add_argument("--manifest-cache", metavar="DIR", help="keep manifests in DIR across runs")


def _add_images(parser: argparse.ArgumentParser) -> None:
    images = parser.add_argument_group(
        "container images (--type container; read from the registry)"
    )
    _add_registry(images)
    images.add_argument(
        "--grace",
        type=_any_duration,  # 0s: no grace window
        default=parse_duration("1h"),
        metavar="DURATION",
        help="keep untagged versions younger than this: their index may be in flight (default 1h)",
    )
    for flag, what in (
        ("--delete-orphans", "attestations and signatures whose image is gone"),
        ("--delete-ghost-images", "indexes none of whose platform versions exist"),
        ("--delete-partial-images", "indexes some of whose platform versions are missing"),
    ):
        images.add_argument(flag, action="store_true", help=f"also delete {what}")
    images.add_argument(
        "--untag",
        action="append",
        default=[],
        metavar="PATTERN",
        help="remove matching tags from images that keep another tag (repeatable)",
    )


def _add_confirmation(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help=f"{what} without asking (required when stdin is not a terminal)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help=f"show what would be {what}d; send no DELETE"
    )


_Command = Callable[[str, str], _Parser]  # (name, help) -> its subparser


def _add_commands(sub: argparse._SubParsersAction[_Parser], secrets: tuple[str, ...]) -> None:
    shared = parents(lambda: _Parser(add_help=False))

    def command(name: str, help: str) -> _Parser:
        kind = "demo" if name == "demo" else "write" if name in WRITES else "read"
        parser = sub.add_parser(
            name,
            help=help,
            description=help,
            parents=[shared[kind]],
            formatter_class=HelpFormatter,
        )
        parser.secrets = secrets
        return parser

    _add_single_owner_commands(command)
    _add_fan_out(command)
    _add_other_commands(command)


def _add_single_owner_commands(command: _Command) -> None:
    p = command("packages", "list the packages of a user, an organization or yourself")
    _add_owner(p)
    _add_type(p)
    p.add_argument("--visibility", choices=PACKAGE_VISIBILITIES, help="only this visibility")
    _add_formats(p, jsonl=True)

    p = command("versions", "list the versions of a package, newest first")
    _add_target(p)
    p.add_argument(
        "--state",
        choices=PACKAGE_STATES,
        help="active (default) or deleted; not with --user (GitHub has no such filter there)",
    )
    _add_formats(p, jsonl=True)

    p = command("get", "show one package, or one version with --version-id")
    _add_target(p)
    _add_version_id(p, "show")
    _add_formats(p, jsonl=False)

    p = command("delete", "delete a package, or one version with --version-id (restorable 30 d)")
    _add_target(p)
    _add_version_id(p, "delete")
    _add_confirmation(p, "delete")

    p = command("restore", "restore a deleted package, or one version with --version-id")
    _add_target(p)
    _add_version_id(p, "restore")
    p.add_argument("--package-token", metavar="TOKEN", help="the package's restore token, if any")
    p.add_argument(
        "--dry-run", action="store_true", help="check that it is deleted; send no restore"
    )


def _add_fan_out(command: _Command) -> None:
    p = command("fan-out", "list the packages of many owners concurrently")
    _add_type(p)
    p.add_argument("--visibility", choices=PACKAGE_VISIBILITIES, help="only this visibility")
    owners = p.add_argument_group("owners (--users and --orgs combine; --from-file alone)")
    owners.add_argument("--users", metavar="A,B,...", help="comma-separated user names")
    owners.add_argument("--orgs", metavar="A,B,...", help="comma-separated organization names")
    owners.add_argument(
        "--from-file",
        metavar="FILE",
        help="one owner per line ('-': stdin); "
        "'user:NAME' or 'org:NAME', or a bare NAME with --owner-kind; "
        "'#' starts a comment, blank lines are skipped",
    )
    p.add_argument(
        "--owner-kind", choices=("user", "org"), help="what bare names in --from-file are"
    )
    _add_formats(p, jsonl=True)


def _add_other_commands(command: _Command) -> None:
    p = command("prune", "delete the versions of packages that a retention policy selects")
    _add_prune(p)

    p = command("undo", "restore every version a prune journal records (safe to re-run)")
    p.add_argument("--journal", required=True, metavar="FILE", help="the journal of a prune")
    p.add_argument(
        "--registry-url", metavar="URL", help="registry for untags (default: beside --base-url)"
    )
    _add_formats(p, jsonl=False)

    p = command("validate", "check that every tagged container image is whole (exit 1 if not)")
    _add_target(p)
    p.add_argument("--registry-url", metavar="URL", help="registry (default: beside --base-url)")
    p.add_argument("--manifest-cache", metavar="DIR", help="keep manifests in DIR across runs")
    _add_formats(p, jsonl=False)

    p = command("auth-status", "check who the token belongs to and what it can do")
    p.add_argument(
        "--require",
        action="append",
        default=[],
        metavar="SCOPE",
        help="also require this scope, e.g. delete:packages (repeatable)",
    )
    _add_formats(p, jsonl=False)

    command("demo", "run against the built-in fake GitHub: no token, no network")


def build_parser(secrets: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    """The ``aiogh-packages`` parser with every subcommand; ``secrets`` are masked in errors."""
    from .._version import __version__

    parser = _Parser(
        prog="aiogh-packages",
        description=_DESCRIPTION,
        epilog=EXIT_CODES_HELP,
        formatter_class=HelpFormatter,
    )
    parser.secrets = secrets
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_commands(sub, secrets)
    return parser


def _secrets_in(argv: Sequence[str]) -> tuple[str, ...]:
    found = []
    for index, arg in enumerate(argv):
        for option in ("--token", "--package-token"):
            if arg == option and index + 1 < len(argv):
                found.append(argv[index + 1])
            elif arg.startswith(option + "="):
                found.append(arg.partition("=")[2])
    return tuple(s for s in found if s)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv`` (default ``sys.argv[1:]``); no subcommand means ``demo``.

    Shared options may come before the subcommand as well as after it.
    Exits with status 2 (argparse's usage error) on bad arguments.
    """
    args = hoist_shared_options(list(sys.argv[1:] if argv is None else argv))
    return build_parser(_secrets_in(args)).parse_args(args)
