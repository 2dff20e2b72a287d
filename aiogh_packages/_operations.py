"""The client's verbs, each written once: list (follow pages), get (decode one), send (no body).

``PackagesClient`` builds a :class:`Route` for an owner and hands it here; nothing in this
module knows about owner scopes or method names. The decoders are built once, at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlsplit

import msgspec

from ._pipeline import HTTPCore
from ._sansio import routes
from ._sansio.links import parse_link_header, query_int
from ._sansio.responses import BodyDecoder, decode
from ._sansio.routes import Route
from .models import Package, PackageVersion, SimpleUser, VersionSummary
from .pagination import Listing, Page

__all__ = [
    "PACKAGE",
    "PACKAGES",
    "SUMMARIES",
    "USER",
    "VERSION",
    "VERSIONS",
    "Operations",
    "package_query",
    "versions_query",
]

T = TypeVar("T")
Query = dict[str, str | int | None]

PACKAGE = msgspec.json.Decoder(Package)
PACKAGES = msgspec.json.Decoder(list[Package])
VERSION = msgspec.json.Decoder(PackageVersion)
VERSIONS = msgspec.json.Decoder(list[PackageVersion])
USER = msgspec.json.Decoder(SimpleUser)


class _Tags(msgspec.Struct, gc=False):
    tags: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()  # docker only, as in DockerMetadata


class _SummaryMetadata(msgspec.Struct, gc=False):
    container: _Tags | None = None
    docker: _Tags | None = None


class _RawSummary(msgspec.Struct, gc=False):
    """A ``package-version`` object read for its summary only: every other key is skipped."""

    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    metadata: _SummaryMetadata | None = None


class _SummariesDecoder:
    """Decodes a version page straight to :class:`VersionSummary` (no full Struct on the way)."""

    _raw = msgspec.json.Decoder(list[_RawSummary])

    def decode(self, buf: bytes, /) -> list[VersionSummary]:
        return [_summary(raw) for raw in self._raw.decode(buf)]


_NO_TAGS: tuple[str, ...] = ()


def _summary(raw: _RawSummary) -> VersionSummary:
    meta, tags = raw.metadata, _NO_TAGS
    if meta is not None and meta.container is not None:  # the same order as PackageVersion.tags
        tags = meta.container.tags
    elif meta is not None and meta.docker is not None:
        tags = meta.docker.tags or meta.docker.tag
    return VersionSummary(
        id=raw.id, name=raw.name, created_at=raw.created_at, updated_at=raw.updated_at,
        tags=tags, deleted_at=raw.deleted_at,
    )  # fmt: skip


SUMMARIES = _SummariesDecoder()


def package_query(package_type: str, visibility: str | None, per_page: int) -> Query:
    """The checked query of a package listing (raises before anything is sent)."""
    return {
        "package_type": routes.check_package_type(package_type),
        "visibility": None if visibility is None else routes.check_visibility(visibility),
        "per_page": routes.check_per_page(per_page),
    }


def versions_query(state: str | None, per_page: int) -> Query:
    """The checked query of a version listing."""
    return {
        "per_page": routes.check_per_page(per_page),
        "state": None if state is None else routes.check_state(state),
    }


@dataclass(frozen=True)
class Operations:
    """The three verbs over one request core, with a view's per-call limits."""

    http: HTTPCore
    max_wait_s: float | None
    prefetch_window: int | None  # None: adaptive, up to the core's max_concurrency

    def listing(self, route: Route, query: Query, decoder: BodyDecoder[list[T]]) -> Listing[T]:
        """Every item of a paged listing, following ``next`` links on the API origin."""
        url = self.http.url(route.path + routes.query_string(query))
        per_page = query.get("per_page")
        return self.listing_at(url, route.template, decoder, per_page=per_page)

    def listing_at(
        self,
        url: str,
        template: str,
        decoder: BodyDecoder[list[T]],
        *,
        per_page: object = None,
    ) -> Listing[T]:
        """A listing starting at ``url`` (already checked to be on the API origin).

        ``per_page`` is the page size asked for, when the caller knows it (else read from
        ``url``; one URL parse less per listing, which fan-outs make per owner).
        """

        async def fetch(page_url: str) -> Page[T]:
            return await self.page(page_url, template, decoder)

        def check(link: str) -> None:
            self.http.check_origin(link, "Link URL")

        return Listing(
            fetch, url, check_url=check, prefetch_window=self.prefetch_window,
            max_prefetch=self.http.max_concurrency,
            per_page=per_page if isinstance(per_page, int) else query_int(url, "per_page"),
        )  # fmt: skip

    def resumed(self, url: str, decoder: BodyDecoder[list[T]]) -> Listing[T]:
        """Continue a listing from one of its page URLs."""
        self.http.check_origin(url, "resume URL")
        return self.listing_at(url, "(resumed) " + urlsplit(url).path, decoder)

    async def page(self, url: str, template: str, decoder: BodyDecoder[list[T]]) -> Page[T]:
        """One page of a listing: its items, links and what the response said."""
        resp = await self.http.request("GET", url, template=template, max_wait_s=self.max_wait_s)
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

    async def get(self, route: Route, decoder: BodyDecoder[T]) -> T:
        """``GET`` one object."""
        url = self.http.url(route.path)
        resp = await self.http.request(
            "GET", url, template=route.template, max_wait_s=self.max_wait_s
        )
        return decode(decoder, resp.body, endpoint=f"GET {route.template}", method="GET", url=url)

    async def send(self, method: str, route: Route, query: Query | None = None) -> None:
        """A ``DELETE``/``POST`` whose answer has no body worth decoding."""
        url = self.http.url(route.path + routes.query_string(query or {}))
        await self.http.request(method, url, template=route.template, max_wait_s=self.max_wait_s)
