"""Putting an answer on the wire: normally, cut short (``truncate``) or not at all (``drop``)."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from aiohttp import web
from multidict import CIMultiDict

__all__ = ["Wire", "drop", "send", "truncate"]


@dataclass(frozen=True)
class Wire:
    """A finished response: status, every header, and the encoded body."""

    status: int
    headers: CIMultiDict[str]
    body: bytes


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def send(wire: Wire) -> web.Response:
    """The aiohttp response for ``wire``."""
    return web.Response(status=wire.status, headers=wire.headers, body=wire.body or None)


def drop(request: web.BaseRequest) -> web.Response:
    """Close the connection without answering; the client sees a disconnect."""
    if request.transport is not None:
        request.transport.close()
    # aiohttp's attempt to send this placeholder fails quietly on the closed transport.
    return web.Response()


def truncate(request: web.BaseRequest, wire: Wire) -> web.Response:
    """Send ``wire`` with a ``Content-Length`` larger than the body that follows, then close.

    Half the body is sent; a bodiless answer (204, 304) is instead cut inside its headers, so
    the client never sees a complete response either way.
    """
    transport = request.transport
    if transport is None:
        return web.Response()
    lines = [f"HTTP/1.1 {wire.status} {_reason(wire.status)}"]
    lines += [f"{k}: {v}" for k, v in wire.headers.items() if k.lower() != "content-length"]
    if wire.body:
        lines.append(f"Content-Length: {2 * len(wire.body) + 16}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        transport.write(head + wire.body[: len(wire.body) // 2])
    else:
        head = "\r\n".join(lines).encode("latin-1")
        transport.write(head[: len(head) // 2])
    transport.close()
    return web.Response()
