"""Listings: async iterators over the items of every page, following ``Link`` headers.

How this works
--------------
A :class:`Listing` fetches the first page, yields its items, then takes the page's
``rel="next"`` URL as given and repeats until there is none (or an empty page), holding
one page at a time. Each URL is checked against the API origin before it is followed, so
the token never goes anywhere else.

Prefetch: when the first page's ``Link`` also carries ``rel="last"`` and its ``next`` URL
is that same URL with ``page`` set to 2, every remaining page URL is known. Up to
``prefetch_window`` pages are then fetched concurrently (inside the client's
``max_concurrency``), and yielded strictly in page order. Leaving the loop early (break,
exception, cancellation) cancels and awaits the fetches still in flight; use
``contextlib.aclosing`` around a listing you may abandon to make that immediate rather
than at garbage collection.

A fault that outlives the retries raises a ``PackagesError`` whose ``url`` is the page
that failed; every page before it was yielded whole, none after it. Pass that URL to
``PackagesClient.iter_packages_from_url`` / ``iter_package_versions_from_url`` to resume.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ._sansio.links import page_number, page_urls
from ._sansio.ratelimit import RateLimit

__all__ = ["Listing", "Page"]

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing with what its response said about paging and rate limits.

    Attributes:
        items: the decoded items of this page.
        url: the URL this page was fetched from (resume a listing from it).
        links: ``rel`` -> URL from the ``Link`` header (``next``, ``last``, ``prev``, ``first``).
        rate_limit: the primary rate limit reported with this page, if any.
        etag: the page's ``ETag``, if any.
        from_cache: True when GitHub answered 304 and the body came from the ETag cache.
        attempts: how many times the page was requested.
    """

    items: list[T]
    url: str
    links: dict[str, str] = field(default_factory=dict)
    rate_limit: RateLimit | None = None
    etag: str | None = None
    from_cache: bool = False
    attempts: int = 1

    @property
    def next_url(self) -> str | None:
        """The ``rel="next"`` URL, or None on the last page."""
        return self.links.get("next")

    @property
    def last_url(self) -> str | None:
        """The ``rel="last"`` URL, when GitHub could compute it."""
        return self.links.get("last")


FetchPage = Callable[[str], Awaitable[Page[T]]]
"""Fetch and decode one page URL (raising on failure)."""


class Listing(AsyncIterator[T]):
    """An async iterator over the items of a paginated endpoint; ``.pages()`` gives pages.

    Iterate it once: either ``async for item in listing`` or ``async for page in
    listing.pages()``.
    """

    def __init__(
        self,
        fetch: FetchPage[T],
        first_url: str,
        *,
        check_url: Callable[[str], None],
        prefetch_window: int,
    ) -> None:
        self._fetch = fetch
        self._first_url = first_url
        self._check_url = check_url
        self._window = prefetch_window
        self._page_iter: AsyncGenerator[Page[T], None] | None = None  # whoever started it
        self._item_pages: AsyncIterator[Page[T]] | None = None  # started by item iteration
        self._buffer: list[T] = []  # the current page's items, handed out by index
        self._index = 0

    def __repr__(self) -> str:
        return f"Listing({self._first_url!r})"

    def pages(self) -> AsyncIterator[Page[T]]:
        """The listing page by page, each with its links, rate limit and cache status."""
        if self._page_iter is not None:
            raise RuntimeError("this listing is already being iterated; create a new one")
        self._page_iter = self._pages()  # so that aclose() reaches it, however it was started
        return self._page_iter

    def __aiter__(self) -> Listing[T]:
        return self

    async def __anext__(self) -> T:
        # Hot path: items of the current page are handed out without awaiting anything.
        index = self._index
        if index < len(self._buffer):
            self._index = index + 1
            return self._buffer[index]
        return await self._next_page_first_item()

    async def _next_page_first_item(self) -> T:
        pages = self._item_pages
        if pages is None:
            pages = self._item_pages = self.pages()
        self._buffer = []  # let the finished page go while the next one is awaited
        while True:
            page = await pages.__anext__()  # StopAsyncIteration ends the listing
            if page.items:
                self._buffer, self._index = page.items, 1
                return page.items[0]

    async def aclose(self) -> None:
        """Stop the listing, cancelling and awaiting any page fetches in flight."""
        self._buffer = []
        if self._page_iter is not None:
            await self._page_iter.aclose()

    async def _pages(self) -> AsyncGenerator[Page[T], None]:
        page = await self._fetch(self._first_url)
        yield page
        remaining = self._planned_urls(page)
        if remaining is not None:
            # Closed explicitly, so that closing this generator cancels the fetches in flight
            # at once rather than whenever the inner generator is finalized.
            async with contextlib.aclosing(self._prefetched(remaining)) as later_pages:
                async for later in later_pages:
                    yield later
            return
        while (url := page.next_url) is not None:
            self._check_url(url)  # before anything else: a foreign link is refused, always
            if not page.items:  # an empty page ends the listing even if it links on
                return
            del page  # not kept alive while the next one is fetched
            page = await self._fetch(url)
            yield page

    def _planned_urls(self, page: Page[T]) -> Iterator[str] | None:
        """The URLs after ``page`` when ``rel="last"`` makes them known; else None."""
        next_url, last_url = page.next_url, page.last_url
        if self._window <= 1 or next_url is None or last_url is None:
            return None
        current, last = page_number(next_url), page_number(last_url)
        if current is None or last is None or last < current:
            return None
        if page_urls(last_url, current, current)[0] != next_url:
            return None
        self._check_url(last_url)
        return iter(page_urls(last_url, current, last))

    async def _prefetched(self, urls: Iterator[str]) -> AsyncGenerator[Page[T], None]:
        pending: deque[asyncio.Task[Page[T]]] = deque()
        try:
            for url in urls:
                pending.append(asyncio.ensure_future(self._fetch(url)))
                if len(pending) >= self._window:
                    break
            while pending:
                page = await pending.popleft()
                following = next(urls, None)
                if following is not None:
                    pending.append(asyncio.ensure_future(self._fetch(following)))
                yield page
                del page  # not kept alive while the next one is awaited
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
