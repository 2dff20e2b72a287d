"""The options every command shares, their help, and their place on the command line.

Read-only commands get the connection and request options; commands that write also get
``--write-interval``; ``demo`` (its own fake server, no token) gets neither ``--token`` nor
``--base-url``. Shared options given before the subcommand are moved after it, so they work
in either place.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import TypeVar

from ..client import default_base_url

__all__ = ["WRITES", "HelpFormatter", "hoist_shared_options", "parents"]

P = TypeVar("P", bound=argparse.ArgumentParser)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps descriptions as written and shows each option's default unless the help does."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if "default" in text or default in (None, False, [], argparse.SUPPRESS) or not text:
            return text
        if isinstance(action, argparse._CountAction):
            return text
        return f"{text} (default: %(default)s)"


def _number(
    kind: Callable[[str], float], low: float, high: float | None = None
) -> Callable[[str], float]:
    """An argparse type: ``kind`` in ``low..high``, refused with the value as typed."""
    accepted = f"{low:g}..{high:g}" if high is not None else f">= {low:g}"
    noun = "an integer" if kind is int else "a number"

    def convert(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {noun} {accepted}, got {text!r}") from None
        if value < low or (high is not None and value > high) or value != value:
            raise argparse.ArgumentTypeError(f"must be {accepted}, got {text!r}")
        return value

    convert.__name__ = "int" if kind is int else "float"  # argparse names it in errors
    return convert


def _connection_options(common: argparse.ArgumentParser, *, writes: bool) -> None:
    """The shared options; ``writes`` adds --write-interval (commands that send writes)."""
    conn = common.add_argument_group("connection")
    conn.add_argument(
        "--token", help="API token (default: $GITHUB_TOKEN, else $GH_TOKEN, else `gh auth token`)"
    )
    conn.add_argument(
        "--base-url",
        default=default_base_url(),
        help="API root (default: $GITHUB_API_URL, else https://api.github.com; now "
        "%(default)s); GitHub Enterprise: https://HOST/api/v3",
    )
    _tuning_options(common, writes=writes)


def _tuning_options(common: argparse.ArgumentParser, *, writes: bool) -> None:
    conn = common.add_argument_group("requests")
    conn.add_argument(
        "--concurrency", type=_number(int, 1, 100), default=8, metavar="N",
        help="requests in flight (1..100)",
    )  # fmt: skip
    conn.add_argument(
        "--per-page", type=_number(int, 1, 100), default=100, metavar="N",
        help="items per page (1..100)",
    )  # fmt: skip
    conn.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log retries and waits to stderr (-vv: debug); show tracebacks on errors",
    )
    advanced = common.add_argument_group("advanced")
    advanced.add_argument(
        "--max-wait",
        type=_number(float, 0),
        default=300.0,
        metavar="SECONDS",
        help="longest rate-limit wait to sleep through; longer ones fail with exit 5",
    )
    advanced.add_argument(
        "--max-tries", type=_number(int, 1), default=5, metavar="N",
        help="attempts per request (transient)",
    )  # fmt: skip
    advanced.add_argument(
        "--timeout", type=_number(float, 0.001), default=30.0, metavar="SECONDS",
        help="per attempt",
    )  # fmt: skip
    advanced.add_argument(
        "--shared-budget", metavar="REDIS_URL",
        help="share GitHub's points budget and rate-limit pauses with every process using this "
        "token, through Redis at redis://HOST:PORT/DB (needs aiogh-packages[redis])",
    )  # fmt: skip
    if writes:
        advanced.add_argument(
            "--write-interval", type=_number(float, 0), default=1.0, metavar="SECONDS",
            help="minimum spacing of deletes/restores (GitHub asks for 1 s)",
        )  # fmt: skip


WRITES = frozenset({"delete", "restore", "prune", "undo"})


def parents(new: Callable[[], P]) -> dict[str, P]:
    """Parents (from ``new()``) for read-only commands, writing commands and ``demo``."""
    read, write, demo = new(), new(), new()
    _connection_options(read, writes=False)
    _connection_options(write, writes=True)
    _tuning_options(demo, writes=False)
    return {"read": read, "write": write, "demo": demo}


_VERBOSE = re.compile(r"-v+")


def _shared_option_arity() -> dict[str, int]:
    """Each shared option string and how many words it takes (0 for -v)."""
    parser = argparse.ArgumentParser(add_help=False)
    _connection_options(parser, writes=True)
    actions = parser._actions
    return {o: (0 if a.nargs == 0 else 1) for a in actions for o in a.option_strings}


def hoist_shared_options(args: list[str]) -> list[str]:
    """Move shared options given before the subcommand to just after it (either place works).

    No subcommand (only shared options) means ``demo``; ``--help`` and ``--version`` and
    anything unknown before the subcommand are left for argparse to answer.
    """
    arity = _shared_option_arity()
    leading: list[str] = []
    index = 0
    while index < len(args) and args[index].startswith("-"):
        word = args[index]
        name = word.partition("=")[0]
        if _VERBOSE.fullmatch(word) or (name in arity and (arity[name] == 0 or "=" in word)):
            leading.append(word)
            index += 1
        elif name in arity and index + 1 < len(args):
            leading += args[index : index + 2]
            index += 2
        else:
            return args  # --help, --version, a usage error: argparse explains
    rest = args[index:] or ["demo"]
    return [rest[0], *leading, *rest[1:]]
