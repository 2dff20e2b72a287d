"""Judging whether a token can use the Packages API, from its prefix and GitHub's answer.

Does no I/O. The Packages API accepts a classic personal access token (scopes
``read:packages``, plus ``delete:packages`` to delete and ``write:packages`` to restore)
or an Actions ``GITHUB_TOKEN``; fine-grained tokens and GitHub App tokens are refused
(https://docs.github.com/rest/packages/packages). Token prefixes:
https://github.blog/engineering/behind-githubs-new-authentication-token-formats/
"""

from __future__ import annotations

from typing import Literal

import msgspec

from .ratelimit import RateLimit

__all__ = ["AuthStatus", "TokenKind", "evaluate_token", "token_kind"]

TokenKind = Literal[
    "classic", "fine-grained", "oauth", "installation", "user-to-server", "unknown", "none"
]

_PREFIXES: dict[str, TokenKind] = {
    "ghp_": "classic",
    "github_pat_": "fine-grained",
    "gho_": "oauth",
    "ghs_": "installation",
    "ghu_": "user-to-server",
}


class AuthStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Who a token belongs to and whether it can do what was asked.

    Attributes:
        login: the account the token authenticates as (None when it did not authenticate).
        kind: the token kind told by its prefix.
        scopes: the classic scopes from ``X-OAuth-Scopes`` (empty when GitHub sent none).
        missing_scopes: required scopes the token lacks.
        problems: one sentence per reason the token will not work; empty when it will.
        rate_limit: the primary rate limit reported with the check.
    """

    login: str | None
    kind: TokenKind
    scopes: tuple[str, ...]
    missing_scopes: tuple[str, ...]
    problems: tuple[str, ...]
    rate_limit: RateLimit | None = None

    @property
    def ok(self) -> bool:
        """True when nothing stands in the way."""
        return not self.problems


def token_kind(token: str | None) -> TokenKind:
    """The kind of ``token`` told by its prefix."""
    if token is None:
        return "none"
    for prefix, kind in _PREFIXES.items():
        if token.startswith(prefix):
            return kind
    return "unknown"


def parse_scopes(header: str | None) -> tuple[str, ...] | None:
    """The scopes listed in an ``X-OAuth-Scopes`` header; None when the header is absent."""
    if header is None:
        return None
    return tuple(s.strip() for s in header.split(",") if s.strip())


def evaluate_token(
    *,
    kind: TokenKind,
    login: str | None,
    scopes_header: str | None,
    required_scopes: tuple[str, ...],
    rate_limit: RateLimit | None = None,
) -> AuthStatus:
    """Combine what is known about a token into an :class:`AuthStatus`."""
    problems: list[str] = []
    scopes = parse_scopes(scopes_header)
    missing: tuple[str, ...] = ()
    if kind == "none":
        problems.append("no token: pass token=..., or set GITHUB_TOKEN or GH_TOKEN")
    elif login is None:
        problems.append("GitHub did not accept the token (401 Bad credentials)")
    if kind in ("fine-grained", "user-to-server"):
        problems.append(
            f"a {kind} token cannot use the Packages API: use a personal access token "
            "(classic) or an Actions GITHUB_TOKEN"
        )
    if scopes is not None and login is not None:
        missing = tuple(s for s in required_scopes if s not in scopes)
        if missing:
            problems.append(f"the token lacks the scope(s) {', '.join(missing)}")
    return AuthStatus(
        login=login,
        kind=kind,
        scopes=scopes or (),
        missing_scopes=missing,
        problems=tuple(problems),
        rate_limit=rate_limit,
    )
