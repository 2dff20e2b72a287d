"""The registry's error answers get their exception class in ``_sansio.responses``."""

from __future__ import annotations

import pytest

from aiogh_packages import (
    APIError,
    AuthError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from aiogh_packages._sansio.responses import registry_error_for, registry_message

_BODY = b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (400, APIError),
        (502, ServerError),
    ],
)
def test_registry_status_picks_its_class(status: int, cls: type[APIError]) -> None:
    """Each registry error status maps to one exception class."""
    exc = registry_error_for(status, {}, _BODY, url="https://ghcr.io/v2/a/b/manifests/x")
    assert type(exc) is cls and exc.github_message == "manifest unknown"


def test_registry_429_is_a_secondary_rate_limit_with_its_wait() -> None:
    """A registry 429 is a secondary RateLimitError carrying the Retry-After wait."""
    exc = registry_error_for(429, {}, b"", url="https://ghcr.io/v2/", retry_after_s=7.0)
    assert isinstance(exc, RateLimitError) and exc.secondary and exc.retry_after_s == 7.0


def test_registry_error_url_is_redacted() -> None:
    """Userinfo and secret query values never reach the exception's URL."""
    exc = registry_error_for(404, {}, b"", url="https://u:pw@ghcr.io/v2/?token=abc", attempts=2)
    assert "pw" not in str(exc) and "abc" not in exc.url and exc.attempts == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"errors":[{"code":"DENIED"}]}', "DENIED"),
        (b'{"errors":[]}', None),
        (b"not json", None),
        (b'{"errors":"wrong"}', None),
    ],
)
def test_registry_message_reads_the_first_error(body: bytes, message: str | None) -> None:
    """The first error's message, else its code; None for bodies without errors."""
    assert registry_message(body) == message
