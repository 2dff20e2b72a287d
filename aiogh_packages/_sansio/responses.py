"""Turning (status, headers, body) into Structs or the right exception.

Does no I/O. Every exception class for a request is chosen here and only here: error
statuses (:func:`error_for`), transport faults (:func:`transport_error`) and waits the
client refuses to make (:func:`wait_refused`), for the API; and the container registry's
error answers (:func:`registry_error_for`), whose faults also go through
:func:`transport_error`. The body of a successful response is decoded with a decoder built
once per response type.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Protocol, TypeVar

import msgspec

from ..errors import (
    APIError,
    AuthError,
    DecodeError,
    ForbiddenError,
    NotFoundAfterRetryError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationFailed,
)
from .ratelimit import RateLimit
from .retry import TransportErrorKind
from .urls import redact_url

__all__ = [
    "ErrorBody",
    "decode",
    "error_for",
    "error_message",
    "redact_url",
    "registry_error_for",
    "registry_message",
    "transport_error",
    "wait_refused",
]

_FAULT_TEXT: dict[TransportErrorKind, str] = {
    "connection": "connection failed",
    "timeout": "timed out",
    "payload": "response cut short",
}

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class ErrorBody(msgspec.Struct, frozen=True):
    """GitHub's error body (``basic-error``); every field optional, status as GitHub sends it."""

    message: str | None = None
    documentation_url: str | None = None
    status: str | int | None = None


_ERROR_DECODER = msgspec.json.Decoder(ErrorBody)


class _RegistryErrors(msgspec.Struct):
    """The registry's error body (``{"errors": [{"code": ..., "message": ...}]}``)."""

    errors: list[dict[str, object]] = msgspec.field(default_factory=list)


_REGISTRY_ERRORS = msgspec.json.Decoder(_RegistryErrors)
# The OCI distribution spec's error statuses; 400s there are not GitHub's 422-style
# validation failures, so they stay a plain APIError.
_REGISTRY_CLASSES: dict[int, type[APIError]] = {
    401: AuthError,
    403: ForbiddenError,
    404: NotFoundError,
}


def error_message(body: bytes) -> ErrorBody:
    """GitHub's ``message``/``documentation_url`` from an error body; empty for non-JSON bodies."""
    try:
        return _ERROR_DECODER.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ErrorBody()


class BodyDecoder(Protocol[T_co]):
    """What :func:`decode` needs of a decoder: a ``msgspec.json.Decoder``, or one built on it."""

    def decode(self, buf: bytes, /) -> T_co:
        """The decoded body; raises ``msgspec.ValidationError`` or ``msgspec.DecodeError``."""
        ...


def decode(decoder: BodyDecoder[T], body: bytes, *, endpoint: str, method: str, url: str) -> T:
    """Decode a 2xx body, raising :class:`DecodeError` that names the endpoint and JSON path."""
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        text = str(exc)
        path = text.rsplit(" - at `", 1)[1].rstrip("`") if " - at `" in text else "$"
        raise DecodeError(
            f"response of {endpoint} does not match its schema: {text}",
            endpoint=endpoint,
            json_path=path,
            method=method,
            url=redact_url(url),
        ) from exc
    except msgspec.DecodeError as exc:
        raise DecodeError(
            f"response of {endpoint} is not valid JSON: {exc}",
            endpoint=endpoint,
            method=method,
            url=redact_url(url),
        ) from exc


def error_for(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    url: str,
    attempts: int = 1,
    rate_limited: bool = False,
    secondary: bool = False,
    wait_s: float = 0.0,
    now_epoch: float = 0.0,
    retried_after_fault: bool = False,
) -> APIError:
    """The exception for an error response.

    Args:
        status: the HTTP status.
        headers: response headers, lower-cased names.
        body: the response body (GitHub's JSON error, or anything else).
        method: the request method.
        url: the request URL; secrets are redacted before it is stored.
        attempts: how many times the request was sent.
        rate_limited: the retry decision found a rate limit; raise :class:`RateLimitError`.
        secondary: that rate limit is a secondary one.
        wait_s: the wait the rate limit asked for.
        now_epoch: the current time, to date the rate-limit reset.
        retried_after_fault: an earlier attempt lost its answer (for DELETE/POST 404s).
    """
    parsed = error_message(body)
    request_id = headers.get("x-github-request-id")
    safe_url = redact_url(url)
    if rate_limited:
        return RateLimitError(
            status,
            rate_limit=RateLimit.from_headers(headers),
            secondary=secondary,
            retry_after_s=wait_s,
            reset_at=datetime.fromtimestamp(now_epoch + wait_s, tz=timezone.utc),
            github_message=parsed.message,
            documentation_url=parsed.documentation_url,
            request_id=request_id,
            headers=headers,
            method=method,
            url=safe_url,
            attempts=attempts,
        )
    cls = _class_for(status, method, retried_after_fault)
    return cls(
        status,
        github_message=parsed.message,
        documentation_url=parsed.documentation_url,
        request_id=request_id,
        headers=headers,
        method=method,
        url=safe_url,
        attempts=attempts,
    )


def _class_for(status: int, method: str, retried_after_fault: bool) -> type[APIError]:
    if status == 404 and retried_after_fault and method in ("DELETE", "POST"):
        return NotFoundAfterRetryError
    classes: dict[int, type[APIError]] = {
        400: ValidationFailed,
        401: AuthError,
        403: ForbiddenError,
        404: NotFoundError,
        422: ValidationFailed,
    }
    if status in classes:
        return classes[status]
    return ServerError if status >= 500 else APIError


def transport_error(
    kind: TransportErrorKind, detail: str, *, method: str, url: str, attempts: int, why: str = ""
) -> TransportError:
    """The exception for a request that got no complete answer.

    Args:
        kind: what failed below HTTP.
        detail: the cause in a few words (``"connection refused"``), said once.
        method: the request method.
        url: the request URL; secrets are redacted before it is stored.
        attempts: how many times the request was sent (the message says it once).
        why: why no further attempt is made, if not simply that the tries ran out.
    """
    text = _FAULT_TEXT[kind]
    if detail and detail != text:
        text = f"{text}: {detail}"
    if why:
        text = f"{text}; {why}"
    return TransportError(text, kind=kind, method=method, url=redact_url(url), attempts=attempts)


def wait_refused(
    wait: str,
    delay_s: float,
    max_wait_s: float,
    *,
    now_epoch: float,
    method: str,
    url: str,
    rate_limit: RateLimit | None = None,
) -> RateLimitError:
    """The :class:`RateLimitError` for a wait longer than ``max_wait_s``, before sending.

    ``wait`` names it: ``primary-rate-limit``, ``secondary-rate-limit``, ``rate-limit-pause``,
    ``points-budget`` or ``write-interval``. Client-side pacing reports status 429, an
    exhausted primary limit 403 (what GitHub would answer).
    """
    primary = wait == "primary-rate-limit"
    return RateLimitError(
        403 if primary else 429,
        rate_limit=rate_limit,
        secondary=not primary,
        retry_after_s=delay_s,
        reset_at=datetime.fromtimestamp(now_epoch + delay_s, tz=timezone.utc),
        github_message=(
            f"{wait} wait of {delay_s:.1f} s exceeds max_wait={max_wait_s:g} s; request not sent"
        ),
        method=method,
        url=redact_url(url),
    )


def registry_message(body: bytes) -> str | None:
    """The first error's ``message`` (or ``code``) of a registry error body; None if absent.

    https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
    """
    try:
        errors = _REGISTRY_ERRORS.decode(body).errors
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return str(errors[0].get("message") or errors[0].get("code")) if errors else None


def registry_error_for(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    url: str,
    attempts: int = 1,
    retry_after_s: float = 0.0,
    now_epoch: float = 0.0,
) -> APIError:
    """The exception for a container registry's error answer (a GET).

    A 429 is a :class:`RateLimitError` (secondary, waiting ``retry_after_s``); 401, 403 and
    404 are :class:`AuthError`, :class:`ForbiddenError` and :class:`NotFoundError`; 5xx a
    :class:`ServerError`; anything else a plain :class:`APIError`. ``url`` is redacted.
    """
    message = registry_message(body)
    if status == 429:
        return RateLimitError(
            429,
            rate_limit=None,
            secondary=True,
            retry_after_s=retry_after_s,
            reset_at=datetime.fromtimestamp(now_epoch + retry_after_s, tz=timezone.utc),
            github_message=message,
            headers=headers,
            method="GET",
            url=redact_url(url),
            attempts=attempts,
        )
    cls = _REGISTRY_CLASSES.get(status, ServerError if status >= 500 else APIError)
    return cls(
        status,
        github_message=message,
        headers=headers,
        method="GET",
        url=redact_url(url),
        attempts=attempts,
    )
