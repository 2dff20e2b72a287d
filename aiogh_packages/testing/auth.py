"""Who is asking, what their token may do, and how much of their rate limit is left.

Rules (https://docs.github.com/rest/packages/packages, "About permissions for GitHub
Packages"): the Packages API takes classic personal access tokens; fine-grained and app
tokens are refused with 403; an Actions ``GITHUB_TOKEN`` acts for its repository (the
package-level checks are in :mod:`.access`). Reading needs ``read:packages``; deleting also
``delete:packages``; restoring also ``write:packages``. Rate limits
(https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api) are counted per
token, or per client address for anonymous requests (60 an hour), in windows of one hour that
start with the first counted request.
"""

from __future__ import annotations

import base64
import binascii
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from .render import ErrorAnswer
from .store import Store

__all__ = [
    "DEFAULT_SCOPES",
    "Identity",
    "RateLimiter",
    "RateStatus",
    "TOKEN_KINDS",
    "TokenInfo",
    "TokenKind",
    "check_package_access",
    "identify",
    "required_scopes",
]

DEFAULT_SCOPES = ("read:packages", "write:packages", "delete:packages", "repo")
AUTH_DOCS = "https://docs.github.com/rest"
RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
UNLIMITED = 1_000_000
ANONYMOUS_LIMIT = 60
WINDOW_S = 3600


TokenKind = Literal["classic", "fine_grained", "app", "actions"]
TOKEN_KINDS: tuple[TokenKind, ...] = ("classic", "fine_grained", "app", "actions")


@dataclass(frozen=True)
class TokenInfo:
    """What the fake server knows about a token: whom it acts for, its scopes and kind.

    Kinds (https://docs.github.com/rest/packages/packages, "About permissions for GitHub
    Packages"; shared github-behaviour notes, sections 11 and 15):

    * ``"classic"``: a personal access token (``ghp_...``) of the user ``login``, limited by
      its ``scopes``; the only kind the Packages API fully accepts.
    * ``"fine_grained"`` (``github_pat_...``) and ``"app"`` (an app installation): refused
      with 403 on every Packages endpoint (github/roadmap#558).
    * ``"actions"``: an Actions ``GITHUB_TOKEN`` (``ghs_...``) acting for ``repository``
      (``"owner/name"``): listing an organization's packages is 400 "Invalid argument.",
      user-owned packages are 403 "Resource not accessible by integration", and it reads,
      deletes and restores only packages of that owner linked to its repository or granting
      the repository a role (admin to delete or restore).
    """

    login: str = ""
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    kind: TokenKind = "classic"
    repository: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in TOKEN_KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of: {', '.join(TOKEN_KINDS)}")
        if self.kind == "actions" and (self.repository is None or "/" not in self.repository):
            raise ValueError(
                f"an actions token needs repository='owner/name', got {self.repository!r}"
            )

    @classmethod
    def actions(cls, repository: str) -> TokenInfo:
        """An Actions ``GITHUB_TOKEN`` of ``repository`` (``"owner/name"``)."""
        return cls("github-actions[bot]", (), "actions", repository)


@dataclass(frozen=True)
class Identity:
    """The caller of one request: its token (``None`` when anonymous) and what it maps to."""

    token: str | None = field(repr=False)
    info: TokenInfo | None

    @property
    def authenticated(self) -> bool:
        """Whether the request carried an accepted token."""
        return self.token is not None


def _credential(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() in ("bearer", "token") and value:
        return value
    if scheme.lower() == "basic":
        # GitHub accepts a token as the password of HTTP Basic authentication.
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def identify(header: str | None, tokens: Mapping[str, TokenInfo] | None, store: Store) -> Identity:
    """Map an ``Authorization`` header to an :class:`Identity`.

    Without a token list any token is accepted as a classic token of the store's first user.

    Raises:
        ErrorAnswer: 401 ``Bad credentials`` for a malformed header or an unlisted token.
    """
    if header is None:
        return Identity(None, None)
    token = _credential(header)
    if token is None:
        raise ErrorAnswer(401, "Bad credentials", AUTH_DOCS)
    if tokens is None:
        first = store.first_user()
        return Identity(token, TokenInfo(first.login if first else ""))
    info = tokens.get(token)
    if info is None:
        raise ErrorAnswer(401, "Bad credentials", AUTH_DOCS)
    return Identity(token, info)


_NEEDS = {
    "GET": ("read", ("read:packages",)),
    "HEAD": ("read", ("read:packages",)),
    "DELETE": ("delete", ("read:packages", "delete:packages")),
    "POST": ("restore", ("read:packages", "write:packages")),
}


def required_scopes(method: str) -> tuple[str, ...]:
    """The OAuth scopes a Packages API request with ``method`` needs."""
    return _NEEDS.get(method, ("", ()))[1]


def check_package_access(identity: Identity, method: str) -> None:
    """Refuse non-classic tokens and classic tokens without the scopes ``method`` needs.

    Raises:
        ErrorAnswer: 403 naming the missing scope, or GitHub's "Resource not accessible" message.
    """
    info = identity.info
    if info is None:
        return
    if info.kind == "fine_grained":
        raise ErrorAnswer(403, "Resource not accessible by personal access token", AUTH_DOCS)
    if info.kind == "app":
        raise ErrorAnswer(403, "Resource not accessible by integration", AUTH_DOCS)
    if info.kind == "actions":  # GITHUB_TOKEN has permissions, not scopes
        return
    verb, needed = _NEEDS.get(method, ("", ()))
    for scope in needed:
        if scope not in info.scopes:
            have = ", ".join(info.scopes) or "no scopes"
            raise ErrorAnswer(
                403,
                f"The '{scope}' scope is required to {verb} packages; this token has: {have}.",
                "https://docs.github.com/packages/learn-github-packages/about-permissions-for-github-packages",
                {"X-Accepted-OAuth-Scopes": ", ".join(needed)},
            )


@dataclass(frozen=True)
class RateStatus:
    """One caller's primary rate limit, as the ``x-ratelimit-*`` headers report it."""

    limit: int
    remaining: int
    used: int
    reset: int

    def headers(self) -> dict[str, str]:
        """The ``x-ratelimit-*`` response headers."""
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-resource": "core",
        }


@dataclass
class _Window:
    started: float
    used: int = 0


class RateLimiter:
    """Hourly request counts per caller key; ``limit=None`` never refuses (big numbers shown)."""

    def __init__(self, limit: int | None, clock: Callable[[], float]) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def _limit_for(self, anonymous: bool) -> int:
        if self.limit is None:
            return UNLIMITED
        return min(self.limit, ANONYMOUS_LIMIT) if anonymous else self.limit

    def _window(self, key: str) -> _Window:
        now = self._clock()
        window = self._windows.get(key)
        if window is None or now >= window.started + WINDOW_S:
            window = self._windows[key] = _Window(now)
        return window

    def status(self, key: str, *, anonymous: bool) -> RateStatus:
        """The current count for ``key`` (a fresh window if the last one has ended)."""
        with self._lock:
            window = self._window(key)
            limit = self._limit_for(anonymous)
            reset = math.ceil(window.started + WINDOW_S)
            return RateStatus(limit, max(limit - window.used, 0), window.used, reset)

    def exhausted(self, key: str, *, anonymous: bool) -> bool:
        """Whether ``key`` has no requests left in its window."""
        return self.limit is not None and self.status(key, anonymous=anonymous).remaining <= 0

    def charge(self, key: str) -> None:
        """Count one request against ``key``."""
        with self._lock:
            self._window(key).used += 1

    def reset(self) -> None:
        """Forget every count, as if a new hour had begun for everyone."""
        with self._lock:
            self._windows.clear()
