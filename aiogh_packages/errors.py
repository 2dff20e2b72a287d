"""The exception tree of aiogh_packages.

Every exception the client raises on purpose derives from :class:`PackagesError`::

    PackagesError
    ├── UnsafeURLError            a Link or redirect pointed away from the API origin
    ├── LinkLoopError             a listing's next link pointed back at a page it fetched
    ├── TransportError            connection refused/reset, timeout, body cut short
    ├── DecodeError               a 2xx body that is not the JSON the endpoint documents
    └── APIError                  GitHub answered with an error status
        ├── AuthError             401: missing or bad credentials
        ├── ForbiddenError        403 that is not a rate limit (missing scope, SSO, ...)
        ├── NotFoundError         404
        │   └── NotFoundAfterRetryError   404 on a DELETE/POST retried after a lost answer
        ├── ValidationFailed      400 and 422: the request was understood and refused
        ├── RateLimitError        403/429 from the primary or a secondary rate limit
        └── ServerError           5xx

Caller mistakes (a bad ``package_type``, ``per_page=0``) are not in this tree: they raise
``ValueError``/``TypeError`` before any request is sent.

Every ``PackagesError`` carries ``method``, ``url`` (with secrets such as a restore
``token`` query parameter redacted) and ``attempts`` (how many times the request was sent).
For a listing, ``url`` is the page that failed: pass it to
``PackagesClient.iter_packages_from_url`` / ``iter_package_versions_from_url`` to resume.
The client's token never appears in any message, ``str`` or ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._sansio.ratelimit import RateLimit
    from ._sansio.retry import TransportErrorKind

__all__ = [
    "APIError",
    "AuthError",
    "DecodeError",
    "ForbiddenError",
    "LinkLoopError",
    "NotFoundAfterRetryError",
    "NotFoundError",
    "PackagesError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "UnsafeURLError",
    "ValidationFailed",
]


class PackagesError(Exception):
    """Root of every error aiogh_packages raises about a request."""

    def __init__(self, message: str, *, method: str = "", url: str = "", attempts: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.attempts = attempts

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.url else ""
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.message}{where}{tries}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class UnsafeURLError(PackagesError):
    """A ``Link`` or redirect URL points to another scheme, host or port than ``base_url``.

    Also raised for a URL carrying ``user:password@``, even on the API origin (the
    message and ``url`` never show those credentials). The client refuses to follow it,
    so the token never leaves the configured API origin.
    """


class LinkLoopError(PackagesError):
    """A listing's ``rel="next"`` URL is a page this listing already fetched.

    Raised before that page is requested again, instead of yielding its items forever;
    ``url`` is the repeated URL (redacted). Every item before it was yielded once.
    """


class TransportError(PackagesError):
    """The request did not get a complete HTTP answer: connection, timeout or framing fault.

    The aiohttp exception is chained as ``__cause__``.

    Attributes:
        kind: ``"connection"`` (refused, reset, closed before an answer), ``"timeout"``
            (no complete answer in time) or ``"payload"`` (the body was cut short).
    """

    def __init__(
        self,
        message: str,
        *,
        kind: TransportErrorKind = "connection",
        method: str = "",
        url: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(message, method=method, url=url, attempts=attempts)
        self.kind: TransportErrorKind = kind


class DecodeError(PackagesError):
    """A successful response whose body does not match the documented schema.

    Attributes:
        endpoint: the path template, e.g. ``GET /users/{username}/packages``.
        json_path: where in the body decoding failed, e.g. ``$[3].created_at``.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str,
        json_path: str = "",
        method: str = "",
        url: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(message, method=method, url=url, attempts=attempts)
        self.endpoint = endpoint
        self.json_path = json_path


class APIError(PackagesError):
    """GitHub answered with an error status.

    Attributes:
        status: the HTTP status code.
        github_message: GitHub's ``message`` field, if the body had one.
        documentation_url: GitHub's ``documentation_url`` field, if any.
        request_id: the ``x-github-request-id`` header, for GitHub Support.
        headers: the response headers (lower-cased names).
    """

    def __init__(
        self,
        status: int,
        *,
        github_message: str | None = None,
        documentation_url: str | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        method: str = "",
        url: str = "",
        attempts: int = 1,
    ) -> None:
        text = f"HTTP {status}"
        if github_message:
            text += f": {github_message}"
        super().__init__(text, method=method, url=url, attempts=attempts)
        self.status = status
        self.github_message = github_message
        self.documentation_url = documentation_url
        self.request_id = request_id
        self.headers: Mapping[str, str] = dict(headers or {})


class AuthError(APIError):
    """401: the token is missing, expired or wrong."""


class ForbiddenError(APIError):
    """403 that is not a rate limit: a missing scope, SSO authorisation, or a refused token kind."""


class NotFoundError(APIError):
    """404: the owner, package or version does not exist, or the token may not see it."""


class NotFoundAfterRetryError(NotFoundError):
    """404 on a DELETE or restore POST that was sent again after an attempt lost its answer.

    The earlier attempt may well have been applied by GitHub before the connection failed,
    so the target is gone (or restored) either way. Callers that only need "it is gone"
    can treat this as success; callers that need to know whether it ever existed can tell
    it apart from a plain :class:`NotFoundError`.
    """


class ValidationFailed(APIError):
    """400 or 422: GitHub understood the request and refused it (e.g. the 10,000-item cap)."""


class ServerError(APIError):
    """5xx: GitHub failed; raised once the retries are used up."""


class RateLimitError(APIError):
    """403/429 from a rate limit, raised instead of waiting.

    Raised when the wait GitHub asks for is longer than the ``max_wait_s`` the caller
    allows, or when the rate-limit retries are used up.

    Attributes:
        rate_limit: the primary rate-limit state from the response headers, if present.
        secondary: True for a secondary (abuse) rate limit.
        retry_after_s: seconds GitHub asked to wait.
        reset_at: when the wait ends (aware UTC datetime).
    """

    def __init__(
        self,
        status: int,
        *,
        rate_limit: RateLimit | None,
        secondary: bool,
        retry_after_s: float,
        reset_at: datetime,
        github_message: str | None = None,
        documentation_url: str | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        method: str = "",
        url: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(
            status,
            github_message=github_message,
            documentation_url=documentation_url,
            request_id=request_id,
            headers=headers,
            method=method,
            url=url,
            attempts=attempts,
        )
        self.rate_limit = rate_limit
        self.secondary = secondary
        self.retry_after_s = retry_after_s
        self.reset_at = reset_at
        kind = "secondary rate limit" if secondary else "primary rate limit"
        self.message = (
            f"{self.message} ({kind}; resets at {reset_at.isoformat()}, in {retry_after_s:.0f} s)"
        )
