"""The token doctor on the command line: where the token came from, and prune's pre-flight check."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from .._sansio.auth import AuthStatus, blockers
from ..client import PackagesClient
from ..owner import Owner
from .errors import TokenProblem
from .session import TOKEN_SOURCES

__all__ = ["ability_lines", "check_prune_token", "token_source"]


def token_source(
    args: argparse.Namespace, token: str | None, environ: Mapping[str, str] = os.environ
) -> str:
    """Which of :data:`~.session.TOKEN_SOURCES` gave ``token`` (``none`` without one)."""
    if token is None:
        return "none"
    given = (args.token, environ.get("GITHUB_TOKEN"), environ.get("GH_TOKEN"))
    for source, candidate in zip(TOKEN_SOURCES, given, strict=False):
        if candidate and candidate.strip() == token:
            return source
    return TOKEN_SOURCES[3]


def ability_lines(status: AuthStatus) -> list[str]:
    """One line per thing the token cannot (or may not) do, with the reason and the fix."""
    return [
        f"  {'cannot' if a.verdict == 'no' else 'maybe'} {a.action}: {a.reason}; {a.fix}"
        for a in status.abilities
        if a.verdict != "yes"
    ]


async def check_prune_token(
    gh: PackagesClient, args: argparse.Namespace, owner: Owner, token: str | None
) -> None:
    """Stop (exit 4) before planning when the token cannot do what this prune asks.

    Sends one ``GET /user`` (nothing without a token: a loopback test server needs none).

    Raises:
        TokenProblem: with each reason and its fix.
    """
    if token is None:
        return
    deletes = not args.dry_run
    required = ("read:packages", "delete:packages") if deletes else ("read:packages",)
    status = await gh.auth_status(required)
    found = blockers(
        status, owner_kind=owner.kind, lists_packages=args.package_glob is not None,
        deletes=deletes,
    )  # fmt: skip
    if found:
        raise TokenProblem(
            "the token cannot do what this prune asks; nothing was planned or deleted:\n  "
            + "\n  ".join(found)
        )
