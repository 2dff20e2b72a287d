"""The token doctor: what a token is, and what it can and cannot do on the Packages API.

Does no I/O. A token's kind is told by its prefix alone, never by its length: since April
2026 App and Actions tokens can be ~520-character ``ghs_...`` strings (snok/container-
retention-policy#96). Prefixes:
https://github.blog/engineering/behind-githubs-new-authentication-token-formats/

What each kind may do (https://docs.github.com/rest/packages/packages, "About permissions
for GitHub Packages"):

* a classic personal access token (``ghp_``) or an OAuth token (``gho_``, e.g. ``gh auth
  token``) by its scopes, which GitHub lists in ``X-OAuth-Scopes``: ``read:packages`` to read,
  ``delete:packages`` to delete, ``write:packages`` to restore;
* fine-grained tokens (``github_pat_``) are refused with 403 (github/roadmap#558);
* an Actions ``GITHUB_TOKEN`` or App installation token (``ghs_``) acts for a repository: it
  gets 400 "Invalid argument." listing an organization's packages (cli/cli#9606), 403
  "Resource not accessible by integration" on user-owned packages and on ``GET /user``, and
  reads, deletes and restores only the packages linked to that repository or granting it a role.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from .ratelimit import RateLimit

__all__ = [
    "Ability",
    "AuthStatus",
    "TokenKind",
    "blockers",
    "evaluate_token",
    "token_abilities",
    "token_kind",
]

TokenKind = Literal[
    "classic", "fine-grained", "oauth", "installation", "user-to-server", "unknown", "none"
]
Verdict = Literal["yes", "no", "depends"]

_PREFIXES: dict[str, TokenKind] = {
    "ghp_": "classic",
    "github_pat_": "fine-grained",
    "gho_": "oauth",
    "ghs_": "installation",
    "ghu_": "user-to-server",
}
_CLASSIC_FIX = "use a classic PAT with read:packages, delete:packages"
FINE_GRAINED_FIX = f"GitHub does not accept fine-grained tokens on the Packages API; {_CLASSIC_FIX}"
ORG_LISTING_FIX = (
    "name each package (--package NAME) instead of listing them with --package-glob, or pass "
    "a classic PAT with read:packages (in a secret) as the token"
)
_SCOPE_ACTIONS = (
    ("read", "read:packages"),
    ("delete", "delete:packages"),
    ("restore", "write:packages"),
)


class Ability(msgspec.Struct, frozen=True, kw_only=True):
    """One thing a token can, cannot, or may be able to do on the Packages API.

    Attributes:
        action: ``read``, ``delete``, ``restore``, ``list org packages`` or ``user packages``.
        verdict: ``yes``, ``no``, or ``depends`` (on settings GitHub does not report).
        reason: one line saying why.
        fix: what to do about a ``no`` or ``depends`` (None for ``yes``).
    """

    action: str
    verdict: Verdict
    reason: str
    fix: str | None = None


class AuthStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Who a token belongs to and whether it can do what was asked.

    Attributes:
        login: the account the token authenticates as (None when it did not authenticate,
            or is an Actions/App token, which ``GET /user`` refuses).
        kind: the token kind told by its prefix.
        scopes: the classic scopes from ``X-OAuth-Scopes`` (empty when GitHub sent none).
        missing_scopes: required scopes the token lacks.
        problems: one sentence per reason the token will not work, with the fix; empty when it will.
        rate_limit: the primary rate limit reported with the check.
        abilities: what the token can and cannot do on the Packages API, each with a reason.
    """

    login: str | None
    kind: TokenKind
    scopes: tuple[str, ...]
    missing_scopes: tuple[str, ...]
    problems: tuple[str, ...]
    rate_limit: RateLimit | None = None
    abilities: tuple[Ability, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing stands in the way."""
        return not self.problems


def token_kind(token: str | None) -> TokenKind:
    """The kind of ``token`` told by its prefix (any length)."""
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


def _each(verdict: Verdict, reason: str, fix: str) -> tuple[Ability, ...]:
    """The same verdict for reading, deleting and restoring."""
    return tuple(
        Ability(action=action, verdict=verdict, reason=reason, fix=fix)
        for action, _ in _SCOPE_ACTIONS
    )


def _by_scope(action: str, scope: str, scopes: tuple[str, ...]) -> Ability:
    if scope in scopes:
        return Ability(action=action, verdict="yes", reason=f"the token has {scope}")
    fix = f"add {scope} to the classic PAT, or run: gh auth refresh -s {scope}"
    return Ability(action=action, verdict="no", reason=f"the token lacks {scope}", fix=fix)


def _by_scopes(scopes: tuple[str, ...] | None) -> tuple[Ability, ...]:
    if scopes is None:
        why = "GitHub sent no X-OAuth-Scopes, so the scopes are unknown"
        return _each("depends", why, "make sure the token has read:packages, delete:packages")
    return tuple(_by_scope(action, scope, scopes) for action, scope in _SCOPE_ACTIONS)


_ORG_LISTING = (
    'GitHub answers 400 "Invalid argument." when an Actions or App token lists an '
    "organization's packages"
)
_USER_OWNED = 'GitHub answers 403 "Resource not accessible by integration" for user-owned packages'


def _installation() -> tuple[Ability, ...]:
    linked = (
        "only packages linked to the workflow's repository, or granting it a role "
        "(admin to delete or restore)"
    )
    fix = "give the workflow permissions: packages: write and the repository a role on the package"
    return (
        *_each("depends", linked, fix),
        Ability(action="list org packages", verdict="no", reason=_ORG_LISTING, fix=ORG_LISTING_FIX),
        Ability(action="user packages", verdict="no", reason=_USER_OWNED, fix=_CLASSIC_FIX),
    )


def token_abilities(kind: TokenKind, scopes: tuple[str, ...] | None) -> tuple[Ability, ...]:
    """What a token of ``kind`` with ``scopes`` (None: not reported) can do on the Packages API."""
    if kind in ("classic", "oauth"):
        return _by_scopes(scopes)
    if kind == "installation":
        return _installation()
    if kind == "fine-grained":
        return _each("no", "GitHub answers 403 to fine-grained tokens", FINE_GRAINED_FIX)
    if kind == "user-to-server":
        return _each("no", "GitHub answers 403 to App user-to-server tokens", _CLASSIC_FIX)
    if kind == "none":
        return _each("no", "no token", "pass --token, or set GITHUB_TOKEN or GH_TOKEN")
    why = "the prefix is not one GitHub issues (ghp_, github_pat_, gho_, ghs_, ghu_)"
    return _each("depends", why, _CLASSIC_FIX)


def _problems(
    kind: TokenKind, login: str | None, user_forbidden: bool, missing: tuple[str, ...]
) -> list[str]:
    problems: list[str] = []
    if kind == "none":
        problems.append("no token: pass token=..., or set GITHUB_TOKEN or GH_TOKEN")
    elif login is None and not (kind == "installation" and user_forbidden):
        problems.append(
            "GitHub did not accept the token (401 Bad credentials): it is wrong, expired or "
            "revoked; create a new one"
        )
    if kind == "fine-grained":
        problems.append(f"a fine-grained token cannot use the Packages API: {FINE_GRAINED_FIX}")
    if kind == "user-to-server":
        problems.append(f"a user-to-server token cannot use the Packages API: {_CLASSIC_FIX}")
    if missing:
        joined = ", ".join(missing)
        problems.append(
            f"the token lacks the scope(s) {joined}: add them to the classic PAT, or run: "
            f"gh auth refresh -s {','.join(missing)}"
        )
    return problems


def evaluate_token(
    *,
    kind: TokenKind,
    login: str | None,
    scopes_header: str | None,
    required_scopes: tuple[str, ...],
    rate_limit: RateLimit | None = None,
    user_forbidden: bool = False,
) -> AuthStatus:
    """Combine what is known about a token into an :class:`AuthStatus`.

    ``user_forbidden`` says ``GET /user`` answered 403, as it does for an Actions or App
    token (``ghs_``): for those it is no problem, they act for a repository, not a user.
    """
    scopes = parse_scopes(scopes_header)
    missing: tuple[str, ...] = ()
    if scopes is not None and login is not None:
        missing = tuple(s for s in required_scopes if s not in scopes)
    return AuthStatus(
        login=login,
        kind=kind,
        scopes=scopes or (),
        missing_scopes=missing,
        problems=tuple(_problems(kind, login, user_forbidden, missing)),
        rate_limit=rate_limit,
        abilities=token_abilities(kind, scopes if login is not None else None),
    )


def blockers(
    status: AuthStatus, *, owner_kind: str, lists_packages: bool, deletes: bool
) -> tuple[str, ...]:
    """Why ``status``'s token cannot do what was asked (empty when nothing is known to block).

    Only what the token's kind and scopes rule out counts: a token GitHub did not accept
    fails the first request anyway, with its own message.

    Args:
        owner_kind: ``user``, ``org`` or ``authenticated_user`` (an ``Owner``'s kind).
        lists_packages: the request lists the owner's packages (e.g. a name glob).
        deletes: the request deletes versions (else it only reads).
    """
    wanted = {"read", *(("delete",) if deletes else ())}
    if owner_kind == "org" and lists_packages:
        wanted.add("list org packages")
    if owner_kind != "org":
        wanted.add("user packages")
    return tuple(
        f"cannot {a.action}: {a.reason}; {a.fix}"
        for a in status.abilities
        if a.verdict == "no" and a.action in wanted
    )
