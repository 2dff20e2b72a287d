"""GitHub's gatekeeping and headers around every answer of the fake server.

Checks, in GitHub's order: a ``User-Agent`` is required (403,
https://docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent),
``X-GitHub-Api-Version`` must be supported (400,
https://docs.github.com/rest/about-the-rest-api/api-versions), the credentials must be valid
(401), the primary rate limit must not be spent (403 with ``x-ratelimit-remaining: 0``), and
``/user/...``, deletes and restores need a token (401) with the right scopes (403); with
declared tokens every request needs one (401 "Requires authentication"), and, when turned
on, the secondary limits of :mod:`.secondary` apply (403/429 with ``Retry-After``). Every answer
then carries the ``x-ratelimit-*``, ``x-github-request-id`` and
``x-github-api-version-selected`` headers; 200 GETs carry an ``ETag`` and a matching
``If-None-Match`` gets a 304 that costs no rate limit
(https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from multidict import CIMultiDict

from . import api
from .access import Principal
from .auth import (
    RATE_DOCS,
    Identity,
    RateLimiter,
    TokenInfo,
    check_package_access,
    identify,
    required_scopes,
)
from .faults import RecordedRequest
from .overview import private_user_json, rate_limit_json
from .records import OwnerRecord
from .render import Answer, ErrorAnswer
from .secondary import LimitHit, SecondaryLimiter
from .store import Store
from .wire import Wire

__all__ = ["API_VERSIONS", "Gate"]

API_VERSIONS = ("2022-11-28", "2026-03-10")
_UA_MESSAGE = (
    "Request forbidden by administrative rules. Please make sure your request has a "
    "User-Agent header (https://docs.github.com/rest/overview/resources-in-the-rest-api"
    "#user-agent-required). Check https://developer.github.com for other possible causes."
)
_READS = ("GET", "HEAD")
_USER_DOCS = "https://docs.github.com/rest/users/users#get-the-authenticated-user"


@dataclass(frozen=True)
class _Caller:
    key: str
    identity: Identity

    @property
    def anonymous(self) -> bool:
        return not self.identity.authenticated


def _etag_matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    ours = etag.removeprefix("W/")
    return any(
        t.strip() in ("*", etag) or t.strip().removeprefix("W/") == ours for t in header.split(",")
    )


def _refused(refusal: LimitHit) -> ErrorAnswer:
    headers = {"Retry-After": str(refusal.retry_after_s)}
    return ErrorAnswer(refusal.status, refusal.message, refusal.documentation_url, headers)


def _check_client(req: RecordedRequest) -> None:
    """Refuse requests without ``User-Agent`` (403) or with an unknown API version (400)."""
    if "user-agent" not in req.headers:
        raise ErrorAnswer(403, _UA_MESSAGE, "https://docs.github.com/rest")
    version = req.headers.get("x-github-api-version", API_VERSIONS[0])
    if version not in API_VERSIONS:
        supported = ", ".join(API_VERSIONS)
        message = f"The API version '{version}' is not supported. Supported versions: {supported}."
        raise ErrorAnswer(
            400, message, "https://docs.github.com/rest/about-the-rest-api/api-versions"
        )


class Gate:
    """Authenticates, rate-limits and answers recorded requests (no I/O, one call per request)."""

    def __init__(
        self,
        store: Store,
        tokens: Mapping[str, TokenInfo] | None,
        require_token: bool | None,
        rate_limit: int | None,
        clock: Callable[[], float],
        secondary_limits: bool = False,
    ) -> None:
        self.store = store
        self.tokens = dict(tokens) if tokens is not None else None
        # Declared tokens turn on GitHub's rules, 401 without a token among them.
        self.require_token = tokens is not None if require_token is None else require_token
        self.limiter = RateLimiter(rate_limit, clock)
        self.secondary = SecondaryLimiter(clock) if secondary_limits else None
        self._clock = clock
        self._ids = itertools.count(1)
        self._salt = random.getrandbits(16)

    def answer(self, req: RecordedRequest, remote: str, host: str) -> Wire:
        """The full answer to ``req`` from ``remote`` (``host`` is used in Link URLs)."""
        answer, caller, charge = self._decide(req, remote, host)
        status, body, extra = answer.status, answer.body(), dict(answer.headers)
        if status == 200 and req.method in _READS:
            extra["ETag"] = f'W/"{hashlib.sha256(body).hexdigest()}"'
            privacy = "public" if caller.anonymous else "private"
            extra["Cache-Control"] = f"{privacy}, max-age=60, s-maxage=60"
            if _etag_matches(req.headers.get("if-none-match"), extra["ETag"]):
                # A 304 does not count against the primary rate limit.
                status, body, charge = 304, b"", False
        if charge:
            self.limiter.charge(caller.key)
        return self._wire(status, body, extra, req, caller)

    def _decide(self, req: RecordedRequest, remote: str, host: str) -> tuple[Answer, _Caller, bool]:
        """The answer before conditional handling, who asked, and whether it is counted."""
        caller = _Caller(f"ip:{remote}", Identity(None, None))
        try:
            _check_client(req)
            caller = self._caller(req, remote)
            if req.path == "/rate_limit":  # free, and open to anonymous callers
                return Answer(200, self._rate_json(caller)), caller, False
            if caller.anonymous and self.require_token:
                raise ErrorAnswer(401, "Requires authentication", "https://docs.github.com/rest")
            if self.limiter.exhausted(caller.key, anonymous=caller.anonymous):
                return self._rate_refusal(caller, remote).answer(), caller, False
            self._check_secondary(req, caller)
            return self._route(req, host, caller), caller, True
        except ErrorAnswer as refusal:
            return refusal.answer(), caller, True

    def fault_answer(self, req: RecordedRequest, remote: str, answer: Answer) -> Wire:
        """A scripted answer with GitHub's usual headers under the fault's own (not counted)."""
        try:
            caller = self._caller(req, remote)
        except ErrorAnswer:
            caller = _Caller(f"ip:{remote}", Identity(None, None))
        return self._wire(answer.status, answer.body(), answer.headers, req, caller)

    def concurrency_key(self, req: RecordedRequest, remote: str) -> str:
        """Whom a request counts against for the concurrency limit (a digest, never the token)."""
        credential = req.headers.get("authorization") or f"ip:{remote}"
        return hashlib.sha256(credential.encode()).hexdigest()

    def refusal_wire(self, req: RecordedRequest, remote: str, refusal: LimitHit) -> Wire:
        """A secondary-limit refusal decided outside :meth:`answer` (concurrency)."""
        return self.fault_answer(req, remote, _refused(refusal).answer())

    # -- pieces ---------------------------------------------------------------------------

    def _check_secondary(self, req: RecordedRequest, caller: _Caller) -> None:
        if self.secondary is None:
            return
        target = api.parse(req.path)
        endpoint = req.path if target is None else f"{target.namespace}:{target.operation}"
        refusal = self.secondary.admit(caller.key, req.method, f"{req.method} {endpoint}")
        if refusal is not None:
            raise _refused(refusal)

    def _caller(self, req: RecordedRequest, remote: str) -> _Caller:
        identity = identify(req.headers.get("authorization"), self.tokens, self.store)
        if identity.token is None:
            return _Caller(f"ip:{remote}", identity)
        # Keyed by a digest so the token itself never sits in a repr or a dict dump.
        digest = hashlib.sha256(identity.token.encode()).hexdigest()
        return _Caller(f"token:{digest}", identity)

    def _viewer(self, identity: Identity) -> OwnerRecord | None:
        if identity.info is None:
            return None
        found = self.store.owner(identity.info.login) if identity.info.login else None
        return found if found is not None and found.type == "User" else None

    def _route(self, req: RecordedRequest, host: str, caller: _Caller) -> Answer:
        viewer = self._viewer(caller.identity)
        info = caller.identity.info
        if info is not None and info.kind == "actions" and req.path.startswith("/user"):
            # GITHUB_TOKEN is no user: /user and user-owned packages are refused.
            raise ErrorAnswer(403, "Resource not accessible by integration", _USER_DOCS)
        if req.path == "/user" and req.method in _READS:
            if caller.anonymous:
                raise ErrorAnswer(401, "Requires authentication", _USER_DOCS)
            if viewer is None:
                raise ErrorAnswer(401, "Bad credentials", _USER_DOCS)
            return Answer(200, private_user_json(viewer))
        target = api.parse(req.path)
        if target is None:
            raise ErrorAnswer(404, "Not Found")
        if caller.anonymous and (target.for_viewer or req.method not in _READS):
            raise ErrorAnswer(401, "Requires authentication")
        check_package_access(caller.identity, req.method)
        if target.for_viewer and viewer is None:
            raise ErrorAnswer(401, "Bad credentials")
        now = dt.datetime.fromtimestamp(int(self._clock()), dt.timezone.utc)
        principal = self._principal(caller.identity)
        call = api.Call(req.method, target, req.query, f"http://{host}", viewer, principal, now)
        return api.handle(self.store, call)

    def _principal(self, identity: Identity) -> Principal:
        # Without a token list every token is the store's admin (the permissive default).
        info = identity.info
        if info is None:
            return Principal()
        if self.tokens is None:
            return Principal(info.login, superuser=True)
        if info.kind == "actions":
            return Principal(repository=info.repository)
        return Principal(info.login)

    def _rate_json(self, caller: _Caller) -> dict[str, object]:
        status = self.limiter.status(caller.key, anonymous=caller.anonymous)
        core = {
            "limit": status.limit,
            "used": status.used,
            "remaining": status.remaining,
            "reset": status.reset,
        }
        return rate_limit_json(core, int(self._clock()) + 3600)

    def _rate_refusal(self, caller: _Caller, remote: str) -> ErrorAnswer:
        if caller.anonymous:
            message = (
                f"API rate limit exceeded for {remote}. (But here's the good news: "
                "Authenticated requests get a higher rate limit. Check out the documentation "
                "for more details.)"
            )
        else:
            viewer = self._viewer(caller.identity)
            message = f"API rate limit exceeded for user ID {viewer.id if viewer else 0}."
        return ErrorAnswer(403, message, RATE_DOCS)

    def _wire(
        self,
        status: int,
        body: bytes,
        extra: Mapping[str, str],
        req: RecordedRequest,
        caller: _Caller,
    ) -> Wire:
        headers: CIMultiDict[str] = CIMultiDict()
        if status != 304:
            headers["Content-Type"] = "application/json; charset=utf-8"
        for name, value in (
            self.limiter.status(caller.key, anonymous=caller.anonymous).headers().items()
        ):
            headers[name] = value
        number = next(self._ids)
        headers["X-GitHub-Request-Id"] = (
            f"{self._salt:04X}:{number:04X}:{number * 7919 % 0xFFFFFF:06X}"
        )
        version = req.headers.get("x-github-api-version", API_VERSIONS[0])
        headers["X-GitHub-Api-Version-Selected"] = (
            version if version in API_VERSIONS else API_VERSIONS[0]
        )
        headers["X-GitHub-Media-Type"] = "github.v3; format=json"
        info = caller.identity.info
        if info is not None and info.kind == "classic":
            headers["X-OAuth-Scopes"] = ", ".join(info.scopes)
            if req.path not in ("/user", "/rate_limit"):
                headers["X-Accepted-OAuth-Scopes"] = ", ".join(required_scopes(req.method))
        for name, value in extra.items():
            headers[name] = value
        return Wire(status, headers, body)
