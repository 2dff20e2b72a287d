"""The standalone server's control endpoint and ``--token`` specs, for clients in any language.

``POST /_fake/faults`` with a JSON object (or a list of them) queues faults: the keys are
:class:`~aiogh_packages.testing.Fault`'s fields (``status``, ``body``, ``headers``,
``times``, ``kind``, ``delay_s``, ``method``, ``path``, ``query``, ``link_header``) and the
answer is 201 ``{"queued": N}``. ``DELETE /_fake/faults`` forgets every waiting fault (204).
Only loopback callers may use it (others get 403); these requests are not recorded and
take no fault.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import fields
from typing import Any, cast

from aiohttp import web

from .auth import TOKEN_KINDS, TokenInfo, TokenKind
from .faults import Fault

__all__ = ["CONTROL_PATH", "faults_from_json", "handle_control", "parse_token_spec"]

CONTROL_PATH = "/_fake/faults"
_FIELDS = {f.name for f in fields(Fault)}


def _is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


def faults_from_json(data: Any) -> list[Fault]:
    """Faults from a decoded JSON object or list of objects.

    Raises:
        ValueError: naming an unknown key or a bad value.
    """
    items = data if isinstance(data, list) else [data]
    made = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError(f"a fault must be a JSON object, got {item!r}")
        unknown = sorted(set(item) - _FIELDS)
        if unknown:
            raise ValueError(f"unknown fault keys {unknown}; accepted: {sorted(_FIELDS)}")
        try:
            made.append(Fault(**item))
        except TypeError as exc:
            raise ValueError(str(exc)) from None
    return made


def _json(status: int, payload: object) -> web.Response:
    return web.Response(status=status, text=json.dumps(payload), content_type="application/json")


async def handle_control(
    request: web.BaseRequest, add: Callable[[Fault], None], clear: Callable[[], None]
) -> web.Response:
    """Answer a request to :data:`CONTROL_PATH`: queue faults with ``add``, or ``clear``."""
    if not _is_loopback(request.remote):
        return _json(403, {"message": "The control endpoint answers loopback callers only."})
    if request.method == "DELETE":
        clear()
        return web.Response(status=204)
    if request.method != "POST":
        return _json(405, {"message": "Use POST to queue faults or DELETE to clear them."})
    try:
        faults = faults_from_json(json.loads(await request.read() or b"null"))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        return _json(400, {"message": f"Bad fault: {exc}"})
    for fault in faults:
        add(fault)
    return _json(201, {"queued": len(faults)})


_SCOPE_PREFIXES = ("read", "write", "delete", "admin", "manage", "user")


def _split_owner(rest: str) -> tuple[str, str]:
    """``SCOPES[:OWNER]`` as (scopes, owner): a last ``:`` inside a scope (``read:packages``)
    does not start the owner."""
    head, colon, tail = rest.rpartition(":")
    if not colon or head.rsplit(",", 1)[-1] in _SCOPE_PREFIXES:
        return rest, ""
    return head, tail


def parse_token_spec(spec: str) -> tuple[str, TokenInfo]:
    """``NAME:KIND:SCOPES[:OWNER]`` as (token, info). SCOPES is comma-separated (may be
    empty); OWNER is the user's login (default: the store's first user), or ``owner/repo``
    for an ``actions`` token.

    Raises:
        ValueError: naming what is wrong and what is accepted (never the token).
    """
    token, _, rest = spec.partition(":")
    kind, colon, rest = rest.partition(":")
    if not token or not colon:
        raise ValueError(
            "a --token is NAME:KIND:SCOPES[:OWNER], e.g. ghp_TOKEN:classic:read:packages:octocat"
        )
    if kind not in TOKEN_KINDS:
        raise ValueError(f"token kind {kind!r} is not one of: {', '.join(TOKEN_KINDS)}")
    scopes, owner = _split_owner(rest)
    if kind == "actions":
        return token, TokenInfo.actions(owner)
    scope_list = tuple(s for s in scopes.split(",") if s)
    return token, TokenInfo(owner, scope_list, cast("TokenKind", kind))
