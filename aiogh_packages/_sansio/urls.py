"""URL rules the token depends on: which origin a URL is on, and what of it may be shown.

Does no I/O. The token is sent only to the origin (scheme, host, port; RFC 6454) of
``base_url``; a ``Link`` or redirect URL on any other origin is refused, never followed.
URLs shown in exception text, reprs and logs go through :func:`redact_url` first.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["origin_of", "origin_problem", "redact_url", "same_origin"]

_SECRET_PARAM = re.compile(r"([?&](?:token|access_token|client_secret)=)[^&#]*", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def redact_url(url: str) -> str:
    """``url`` with the values of secret query parameters (``token=``) replaced by ``***``."""
    return _SECRET_PARAM.sub(r"\1***", url)


def origin_of(url: str) -> tuple[str, str, int]:
    """The (scheme, host, port) triple of an absolute URL, with default ports filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port is not None else _DEFAULT_PORTS.get(scheme, -1)
    return scheme, host, port


def same_origin(url: str, base_url: str) -> bool:
    """Whether ``url`` has the scheme, host and port of ``base_url`` (RFC 6454 origin).

    A ``url`` whose port cannot be parsed (``host:99999``, ``host:443.evil``) is never the same.
    """
    try:
        return origin_of(url) == origin_of(base_url)
    except ValueError:
        return False


def origin_problem(url: str, base_url: str, what: str) -> str | None:
    """Why ``url`` must not be sent the token of ``base_url``; None when it may.

    ``what`` names the URL in the message (``Link URL``, ``redirect``). The message never
    contains secrets of ``url``.
    """
    if url.startswith(base_url + "/"):  # the common case, without parsing: the
        return None  # authority ends at the first "/", so it is base_url's own
    if same_origin(url, base_url):
        return None
    try:
        scheme, host, port = origin_of(url)
        where = f"{scheme}://{host}:{port}"
    except ValueError:
        where = "a malformed origin"
    return (
        f"refusing to follow a {what} to {where}, which is not the API origin of "
        f"base_url {base_url!r}; the token is only sent there"
    )
