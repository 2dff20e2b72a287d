"""The client's machinery: configuration, session ownership, and each kind of operation once.

``PackagesClient`` (in ``client.py``) adds one thin, documented method per endpoint on
top of the generic operations here, which take the owner scope as an argument.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator, Callable, Iterable
from types import TracebackType
from typing import TypeVar
from urllib.parse import urlsplit

import aiohttp
import msgspec

from ._http import HTTPCore
from ._sansio import routes
from ._sansio.auth import AuthStatus, evaluate_token, token_kind
from ._sansio.links import parse_link_header, query_int
from ._sansio.ratelimit import RateLimit
from ._sansio.responses import decode
from ._sansio.retry import RetryPolicy
from ._sansio.routes import OwnerKind, Route
from ._version import __version__
from .cache import ETagCache, MemoryETagCache
from .errors import AuthError
from .events import Clock, RetryHook, Sleep, WaitHook
from .fanout import FanOutResult, fan_out
from .models import Package, PackageVersion, SimpleUser
from .pagination import Listing, Page

T = TypeVar("T")
OwnerT = TypeVar("OwnerT")

DEFAULT_BASE_URL = "https://api.github.com"
DEFAULT_API_VERSION = "2022-11-28"

_PACKAGE = msgspec.json.Decoder(Package)
_PACKAGES = msgspec.json.Decoder(list[Package])
_VERSION = msgspec.json.Decoder(PackageVersion)
_VERSIONS = msgspec.json.Decoder(list[PackageVersion])
_USER = msgspec.json.Decoder(SimpleUser)


class ClientBase:
    """Configuration, lifecycle and the generic operations of :class:`PackagesClient`."""

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        api_version: str = DEFAULT_API_VERSION,
        user_agent: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_tries: int = 5,
        max_retry_time: float = 120.0,
        max_wait: float = 300.0,
        max_rate_limit_retries: int = 4,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        max_concurrency: int = 8,
        points_per_minute: int | None = 900,
        write_interval: float = 1.0,
        prefetch_window: int | None = None,
        etag_cache: ETagCache | bool | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        on_retry: RetryHook | None = None,
        on_wait: WaitHook | None = None,
    ) -> None:
        _check_config(token, base_url, timeout, max_tries, max_concurrency, prefetch_window)
        if etag_cache is True:
            etag_cache = MemoryETagCache()
        self._http = HTTPCore(
            base_url=base_url.rstrip("/"),
            token=token,
            session=session,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": api_version,
                "User-Agent": user_agent or f"aiogh-packages/{__version__}",
            },
            timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=connect_timeout),
            retry=RetryPolicy(
                max_tries=max_tries,
                max_time_s=max_retry_time,
                max_rate_limit_retries=max_rate_limit_retries,
                max_wait_s=max_wait,
            ),
            backoff_base_s=backoff_base,
            backoff_max_s=backoff_max,
            max_concurrency=max_concurrency,
            points_per_minute=points_per_minute,
            write_interval_s=write_interval,
            etag_cache=None if isinstance(etag_cache, bool) else etag_cache,
            sleep=sleep or asyncio.sleep,
            clock=clock or time.time,
            on_retry=on_retry,
            on_wait=on_wait,
        )
        self._token = token
        self._max_wait: float | None = None
        self._prefetch_window = prefetch_window  # None: adaptive, up to max_concurrency
        self._is_view = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._http.base_url!r})"

    async def __aenter__(self: _Self) -> _Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session if the client opened it; a borrowed session stays open."""
        if not self._is_view:
            await self._http.close()

    @property
    def base_url(self) -> str:
        """The API root every request goes to, e.g. ``https://api.github.com``."""
        return self._http.base_url

    @property
    def rate_limit(self) -> RateLimit | None:
        """The latest primary rate-limit state GitHub reported, shared by every task."""
        return self._http.rate_limit

    @property
    def max_concurrency(self) -> int:
        """The most requests this client has in flight at once."""
        return self._http.max_concurrency

    def with_options(
        self: _Self, *, max_wait: float | None = None, prefetch_window: int | None = None
    ) -> _Self:
        """A view of this client with other per-call limits, sharing its session and state.

        Args:
            max_wait: the longest rate-limit wait to sleep through, in seconds; a longer
                one raises :class:`RateLimitError` at once (``0`` never waits).
            prefetch_window: how many pages a listing may fetch ahead (1 = sequential).
        """
        view = copy.copy(self)
        view._is_view = True
        if max_wait is not None:
            view._max_wait = max_wait
        if prefetch_window is not None:
            _check_positive(prefetch_window, "prefetch_window")
            view._prefetch_window = prefetch_window
        return view

    async def auth_status(self, required_scopes: Iterable[str] = ("read:packages",)) -> AuthStatus:
        """Check who the token belongs to and whether it can use the Packages API.

        Sends one ``GET /user``. A missing token, a 401, a fine-grained token or missing
        classic scopes (``read:packages``; add ``delete:packages`` to delete and
        ``write:packages`` to restore) are reported in ``problems`` rather than raised, so a
        service can check at start-up and fail fast with a clear message.

        Raises:
            PackagesError: for faults other than a refused token (network, 5xx, ...).
        """
        needed = tuple(required_scopes)
        kind = token_kind(self._token)
        if kind == "none":
            return evaluate_token(kind=kind, login=None, scopes_header=None, required_scopes=needed)
        url = self._http.url("/user")
        try:
            resp = await self._http.request("GET", url, template="/user", max_wait_s=self._max_wait)
        except AuthError as exc:
            return evaluate_token(
                kind=kind, login=None, scopes_header=None, required_scopes=needed,
                rate_limit=RateLimit.from_headers(exc.headers),
            )  # fmt: skip
        user = decode(_USER, resp.body, endpoint="GET /user", method="GET", url=url)
        return evaluate_token(
            kind=kind, login=user.login, scopes_header=resp.headers.get("x-oauth-scopes"),
            required_scopes=needed, rate_limit=resp.rate_limit,
        )  # fmt: skip

    # -- generic operations -------------------------------------------------------------

    def _listing(
        self, route: Route, query: dict[str, str | int | None], item: type[T]
    ) -> Listing[T]:
        url = self._http.url(route.path + routes.query_string(query))
        return self._listing_at(url, route.template, item)

    def _listing_from_url(self, url: str, item: type[T]) -> Listing[T]:
        return self._listing_at(url, "(resumed) " + urlsplit(url).path, item)

    def _listing_at(self, url: str, template: str, item: type[T]) -> Listing[T]:
        decoder: msgspec.json.Decoder[list[T]] = _PACKAGES if item is Package else _VERSIONS  # type: ignore[assignment]  # chosen by item type

        async def fetch(page_url: str) -> Page[T]:
            return await self._fetch_page(page_url, template, decoder)

        check = lambda url: self._http.check_origin(url, "Link URL")  # noqa: E731
        return Listing(
            fetch, url, check_url=check, prefetch_window=self._prefetch_window,
            max_prefetch=self._http.max_concurrency, per_page=query_int(url, "per_page"),
        )  # fmt: skip

    async def _fetch_page(
        self, url: str, template: str, decoder: msgspec.json.Decoder[list[T]]
    ) -> Page[T]:
        resp = await self._http.request("GET", url, template=template, max_wait_s=self._max_wait)
        items: list[T] = []
        if resp.status != 204 and resp.body.strip():
            items = decode(decoder, resp.body, endpoint=f"GET {template}", method="GET", url=url)
        return Page(
            items=items,
            url=url,
            links=parse_link_header(resp.headers.get("link")),
            rate_limit=resp.rate_limit,
            etag=resp.headers.get("etag"),
            from_cache=resp.from_cache,
            attempts=resp.attempts,
        )

    async def _get(self, route: Route, decoder: msgspec.json.Decoder[T]) -> T:
        url = self._http.url(route.path)
        resp = await self._http.request(
            "GET", url, template=route.template, max_wait_s=self._max_wait
        )
        return decode(decoder, resp.body, endpoint=f"GET {route.template}", method="GET", url=url)

    async def _send(self, method: str, route: Route, query: dict[str, str | int | None]) -> None:
        url = self._http.url(route.path + routes.query_string(query))
        await self._http.request(method, url, template=route.template, max_wait_s=self._max_wait)

    def _list_packages(
        self, kind: OwnerKind, owner: str | None, package_type: str, visibility: str | None,
        per_page: int,
    ) -> Listing[Package]:  # fmt: skip
        route = routes.owner_route(kind, owner)
        return self._listing(
            route, self._package_query(package_type, visibility, per_page), Package
        )

    @staticmethod
    def _package_query(
        package_type: str, visibility: str | None, per_page: int
    ) -> dict[str, str | int | None]:
        return {
            "package_type": routes.check_package_type(package_type),
            "visibility": None if visibility is None else routes.check_visibility(visibility),
            "per_page": routes.check_per_page(per_page),
        }

    def _list_versions(
        self, kind: OwnerKind, owner: str | None, package_type: str, package_name: str,
        state: str | None, per_page: int,
    ) -> Listing[PackageVersion]:  # fmt: skip
        route = routes.package_route(kind, owner, package_type, package_name)
        query = {
            "per_page": routes.check_per_page(per_page),
            "state": None if state is None else routes.check_state(state),
        }
        return self._listing(route.child("GET", "/versions", "/versions"), query, PackageVersion)

    def _list_conflicts(self, kind: OwnerKind, owner: str | None) -> Listing[Package]:
        return self._listing(routes.conflicts_route(kind, owner), {}, Package)

    async def _get_package(
        self, kind: OwnerKind, owner: str | None, package_type: str, package_name: str
    ) -> Package:
        return await self._get(
            routes.package_route(kind, owner, package_type, package_name), _PACKAGE
        )

    async def _get_version(
        self, kind: OwnerKind, owner: str | None, package_type: str, package_name: str,
        version_id: int,
    ) -> PackageVersion:  # fmt: skip
        route = routes.version_route(kind, owner, package_type, package_name, version_id)
        return await self._get(route, _VERSION)

    async def _delete_package(
        self, kind: OwnerKind, owner: str | None, package_type: str, package_name: str
    ) -> None:
        route = routes.package_route(kind, owner, package_type, package_name)
        await self._send("DELETE", route, {})

    async def _restore_package(
        self, kind: OwnerKind, owner: str | None, package_type: str, package_name: str,
        token: str | None,
    ) -> None:  # fmt: skip
        if token is not None:
            routes.check_name(token, "token")
        route = routes.package_route(kind, owner, package_type, package_name)
        await self._send("POST", route.child("POST", "/restore", "/restore"), {"token": token})

    async def _delete_version(
        self, kind: OwnerKind, owner: str | None, package_type: str, package_name: str,
        version_id: int,
    ) -> None:  # fmt: skip
        route = routes.version_route(kind, owner, package_type, package_name, version_id)
        await self._send("DELETE", route, {})

    async def _restore_version(
        self, kind: OwnerKind, owner: str | None, package_type: str, package_name: str,
        version_id: int,
    ) -> None:  # fmt: skip
        route = routes.version_route(kind, owner, package_type, package_name, version_id)
        await self._send("POST", route.child("POST", "/restore", "/restore"), {})

    def _fan_out(
        self,
        owners: Iterable[OwnerT],
        listing: Callable[[OwnerT], AsyncIterator[T]],
        concurrency: int | None,
        fail_fast: bool,
    ) -> AsyncIterator[FanOutResult[OwnerT, T]]:
        limit = self._http.max_concurrency if concurrency is None else concurrency
        return fan_out(owners, listing, concurrency=limit, fail_fast=fail_fast)


_Self = TypeVar("_Self", bound=ClientBase)


def _check_positive(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _check_config(
    token: object, base_url: object, timeout: float, max_tries: int, max_concurrency: int,
    prefetch_window: int | None,
) -> None:  # fmt: skip
    if token is not None and (not isinstance(token, str) or not token.strip()):
        raise ValueError("token must be a non-empty str or None")
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an http:// or https:// URL, got {base_url!r}")
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
    _check_positive(max_tries, "max_tries")
    _check_positive(max_concurrency, "max_concurrency")
    if max_concurrency > 100:
        raise ValueError(
            f"max_concurrency must be at most 100 (GitHub's limit on concurrent requests), "
            f"got {max_concurrency}"
        )
    if prefetch_window is not None:
        _check_positive(prefetch_window, "prefetch_window")
