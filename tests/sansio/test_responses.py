"""Error classification and body decoding."""

from __future__ import annotations

import msgspec
import pytest

from aiogh_packages import errors
from aiogh_packages._sansio.responses import (
    decode,
    error_for,
    error_message,
    transport_error,
    wait_refused,
)
from aiogh_packages._sansio.urls import redact_url
from aiogh_packages.models import Package

BODY = b'{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}'


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.ValidationFailed),
        (401, errors.AuthError),
        (403, errors.ForbiddenError),
        (404, errors.NotFoundError),
        (409, errors.APIError),
        (422, errors.ValidationFailed),
        (500, errors.ServerError),
        (503, errors.ServerError),
    ],
)
def test_status_picks_the_class(status: int, cls: type[errors.APIError]) -> None:
    """Each status maps to its exception class, all APIError subclasses."""
    error = error_for(
        status, {"x-github-request-id": "AB:CD"}, BODY, method="GET", url="http://h/x"
    )
    assert type(error) is cls
    assert (error.status, error.request_id, error.github_message) == (status, "AB:CD", "Not Found")
    assert error.documentation_url == "https://docs.github.com/rest"


def test_retried_delete_404_is_told_apart() -> None:
    """A DELETE 404 after a lost answer is NotFoundAfterRetryError; a GET 404 is not."""
    assert type(error_for(404, {}, BODY, method="DELETE", url="u", retried_after_fault=True)) is (
        errors.NotFoundAfterRetryError
    )
    assert type(error_for(404, {}, BODY, method="GET", url="u", retried_after_fault=True)) is (
        errors.NotFoundError
    )


def test_rate_limited_error_carries_wait_and_reset() -> None:
    """A rate-limit failure becomes RateLimitError with the wait and reset time."""
    headers = {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1060"}
    error = error_for(
        403, headers, b"{}", method="GET", url="u", rate_limited=True, wait_s=61.0, now_epoch=1000.0
    )
    assert isinstance(error, errors.RateLimitError)
    assert error.retry_after_s == 61.0
    assert error.reset_at.timestamp() == 1061.0
    assert error.rate_limit is not None and error.rate_limit.remaining == 0
    assert "primary rate limit" in str(error)


def test_error_message_tolerates_html() -> None:
    """A non-JSON error body (a 502 HTML page) yields no message rather than failing."""
    assert error_message(b"<html>Bad gateway</html>").message is None
    assert error_message(b'{"message": 5}').message is None


def test_secrets_in_urls_are_redacted() -> None:
    """The restore ``token`` query value never reaches an error or log."""
    assert redact_url("http://h/x/restore?token=s3cret&a=1") == "http://h/x/restore?token=***&a=1"
    error = error_for(404, {}, BODY, method="POST", url="http://h/restore?token=s3cret")
    assert "s3cret" not in str(error) and "s3cret" not in repr(error)


def test_decode_error_names_endpoint_and_json_path() -> None:
    """A schema mismatch says which endpoint and where in the body."""
    decoder = msgspec.json.Decoder(list[Package])
    with pytest.raises(errors.DecodeError) as info:
        decode(decoder, b'[{"id": "x"}]', endpoint="GET /user/packages", method="GET", url="u")
    assert info.value.endpoint == "GET /user/packages"
    assert info.value.json_path == "$[0].id"
    with pytest.raises(errors.DecodeError, match="not valid JSON"):
        decode(decoder, b"<html>", endpoint="GET /user/packages", method="GET", url="u")


def test_transport_error_says_kind_cause_and_count_once() -> None:
    """transport_error builds a TransportError with its kind, the cause once and the attempts."""
    err = transport_error(
        "connection", "connection refused", method="GET", url="http://h/x?token=s", attempts=5
    )
    assert isinstance(err, errors.TransportError) and err.kind == "connection"
    assert str(err) == (
        "connection failed: connection refused (GET http://h/x?token=***) after 5 attempts"
    )


def test_transport_error_names_why_it_stopped_early() -> None:
    """When the retry time ran out before the tries, the message says so."""
    err = transport_error("timeout", "", method="GET", url="u", attempts=2, why="retry time used")
    assert err.kind == "timeout" and str(err).startswith("timed out; retry time used")


@pytest.mark.parametrize(
    ("wait", "status", "secondary"),
    [("primary-rate-limit", 403, False), ("points-budget", 429, True)],
)
def test_wait_refused_names_the_wait_and_its_length(
    wait: str, status: int, secondary: bool
) -> None:
    """wait_refused is a RateLimitError saying which wait, how long and the max_wait it exceeds."""
    err = wait_refused(wait, 12.5, 10.0, now_epoch=1_700_000_000.0, method="DELETE", url="u")
    assert isinstance(err, errors.RateLimitError)
    assert (err.status, err.secondary, err.retry_after_s) == (status, secondary, 12.5)
    assert f"{wait} wait of 12.5 s exceeds max_wait=10 s; request not sent" in str(err)
