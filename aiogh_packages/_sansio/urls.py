"""URL rules the token depends on: which origin a URL is on, and what of it may be shown.

Does no I/O. The token is sent only to the origin (scheme, host, port; RFC 6454) of
``base_url``; a ``Link`` or redirect URL on any other origin is refused, never followed,
and so is any URL carrying userinfo (``user:password@host``), even on the API origin:
credentials in a URL are deprecated (RFC 9110 section 4.2.4) and aiohttp refuses to send
them beside an ``Authorization`` header. URLs shown in exception text, reprs and logs go
through :func:`redact_url` first, which drops userinfo and the values of secret-looking
query parameters.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["has_userinfo", "origin_of", "origin_problem", "redact_url", "same_origin"]

# Names whose values are secrets: token, access_token, client_secret, sig (signed URLs),
# and their common relatives (refresh_token, X-Amz-Signature, password, ...).
_SECRET_PARAM = re.compile(
    r"([?&;](?:[\w.-]*[_-])?(?:token|secret|sig|signature|password|passwd)=)[^&;#]*",
    re.IGNORECASE,
)
# scheme "://" userinfo "@": the authority ends at the first "/", "?" or "#", and the
# userinfo at its last "@" (as urlsplit reads it).
_USERINFO = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/?#]*@", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def redact_url(url: str) -> str:
    """``url`` fit to show: no userinfo, and secret query values (``token=``) as ``***``.

    Never raises, whatever ``url`` holds.
    """
    return _SECRET_PARAM.sub(r"\1***", _USERINFO.sub(r"\1", url))


def has_userinfo(url: str) -> bool:
    """Whether ``url``'s authority carries userinfo (``user@`` or ``user:password@``)."""
    return _USERINFO.match(url) is not None


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
    contains secrets of ``url`` or ``base_url``.
    """
    if url.startswith(base_url + "/") and "@" not in base_url:  # the common case, without
        return None  # parsing: the authority ends at the first "/", so it is base_url's own
    shown_base = redact_url(base_url)
    if has_userinfo(url):
        return (
            f"refusing to follow a {what} that carries credentials (user:password@); "
            f"requests to base_url {shown_base!r} authenticate with the token only"
        )
    if same_origin(url, base_url):
        return None
    try:
        scheme, host, port = origin_of(url)
        where = f"{scheme}://{host}:{port}"
    except ValueError:
        where = "a malformed origin"
    return (
        f"refusing to follow a {what} to {where}, which is not the API origin of "
        f"base_url {shown_base!r}; the token is only sent there"
    )
