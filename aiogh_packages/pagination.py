"""Listings: async iterators over the items of every page, following ``Link`` headers.

How this works
--------------
A :class:`Listing` fetches the first page, yields its items, then takes the page's
``rel="next"`` URL as given and repeats until there is none (or an empty page), holding
one page at a time. Each URL is checked against the API origin before it is followed, so
the token never goes anywhere else; a URL with ``user:password@`` is refused too.

Loops: a ``next`` URL that this listing already fetched raises :class:`LinkLoopError`
before it is requested again, so a server that links a page back to itself (or to an
earlier page) cannot make the listing yield the same items forever.

A full page without ``Link``: GitHub has been seen answering a full page (``per_page``
items) with no ``Link`` header at all. A page short of ``per_page`` (or empty) is
clearly the last, but a full one may not be, so the listing then follows by page number:
it requests the same URL with ``page`` set to the next number (origin rules unchanged)
until a page comes back short or empty. It never stops silently on a full page. A listing
of exactly ``per_page`` items is answered the same way (GitHub sends no ``Link`` for a
single page), so this costs it one extra request, for an empty page, and nothing is
logged; when the page after a full Link-less page does hold items, GitHub really left the
``Link`` out, and one warning per listing says so on the ``aiogh_packages`` logger. A
page with a ``Link`` header but no ``next`` is the last, as GitHub documents; the
fallback applies only where no ``Link`` header came at all.

Prefetch: when the first page's ``Link`` also carries ``rel="last"`` and its ``next`` URL
is that same URL with ``page`` set to 2, every remaining page URL is known. Pages are
then fetched concurrently (inside the client's ``max_concurrency``) and yielded strictly
in page order. How many are in flight is the prefetch window:

* ``prefetch_window=None`` (the default) adapts it (``_sansio/prefetch.py``): it starts at
  2 and doubles, up to ``max_concurrency``, each time the consumer asks for a page that
  has not arrived yet while its waits are spent on the network (the process idle, not
  busy decoding: measured with ``time.process_time`` around each wait); it narrows by one
  after a window's worth of pages in a row were ready before they were wanted (or waited
  for on this process's own CPU). A listing over a slow link so runs as wide as the
  client allows, one over a fast link stays at one or two pages in flight, where more
  would only cost CPU and memory.
* ``prefetch_window=N`` fixes it at ``N`` (1 = strictly sequential ``next`` following).

Leaving the loop early (break, exception, cancellation) cancels and awaits the fetches
still in flight; use ``contextlib.aclosing`` around a listing you may abandon to make that
immediate rather than at garbage collection.

A fault that outlives the retries raises a ``PackagesError`` whose ``url`` is the page
that failed; every page before it was yielded whole, none after it. Pass that URL to
``PackagesClient.iter_packages_from_url`` / ``iter_package_versions_from_url`` to resume.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ._sansio.links import page_number, page_urls, url_with_page
from ._sansio.prefetch import PrefetchWindow
from ._sansio.ratelimit import RateLimit
from ._sansio.urls import redact_url
from .errors import LinkLoopError, PackagesError

__all__ = ["Listing", "Page"]

T = TypeVar("T")

logger = logging.getLogger("aiogh_packages")


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

    def __repr__(self) -> str:
        links = {rel: redact_url(url) for rel, url in self.links.items()}
        return (
            f"Page(url={redact_url(self.url)!r}, items={len(self.items)}, links={links!r}, "
            f"from_cache={self.from_cache!r}, attempts={self.attempts!r})"
        )

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
        prefetch_window: int | None = None,
        max_prefetch: int = 8,
        per_page: int | None = None,
    ) -> None:
        """A listing that starts at ``first_url``; nothing is fetched before iteration.

        Args:
            fetch: fetches and decodes one page URL.
            first_url: the first page's URL.
            check_url: raises for a URL that must not be followed (foreign origin).
            prefetch_window: pages fetched ahead when ``rel="last"`` is known; None adapts
                it between 1 and ``max_prefetch`` (see the module docstring).
            max_prefetch: the adaptive window's upper bound (the client's ``max_concurrency``).
            per_page: the page size asked for; a page this full without any ``Link`` is
                followed by page number. None (unknown) stops there instead.
        """
        self._fetch = fetch
        self._first_url = first_url
        self._check_url = check_url
        self._window = prefetch_window
        self._max_prefetch = max_prefetch
        self._per_page = per_page
        self._page_iter: AsyncGenerator[Page[T], None] | None = None  # whoever started it
        self._items: AsyncGenerator[T, None] | None = None  # started by item iteration

    def __repr__(self) -> str:
        return f"Listing({redact_url(self._first_url)!r})"

    def pages(self) -> AsyncIterator[Page[T]]:
        """The listing page by page, each with its links, rate limit and cache status."""
        return self._claim_pages()

    def _claim_pages(self) -> AsyncGenerator[Page[T], None]:
        if self._page_iter is not None:
            raise RuntimeError("this listing is already being iterated; create a new one")
        self._page_iter = self._pages()  # so that aclose() reaches it, however it was started
        return self._page_iter

    def __aiter__(self) -> AsyncGenerator[T, None]:
        # An async generator hands out items at about half the CPU of an ``async def
        # __anext__`` (measured: 0.07 vs 0.13 us an item), and item lists stay plain loops.
        if self._items is None:
            self._items = self._iter_items()
        return self._items

    def __anext__(self) -> Awaitable[T]:
        """The next item (``anext(listing)``); it continues whatever ``async for`` left off."""
        return self.__aiter__().__anext__()

    async def _iter_items(self) -> AsyncGenerator[T, None]:
        # Not closed from here: aclose() closes both generators, and a listing dropped
        # mid-way has each finalized on its own (closing the inner one from the outer
        # one's finalizer would race the inner one's own finalizer).
        async for page in self._claim_pages():
            items = page.items
            del page
            for item in items:
                yield item
            del items  # let the finished page go while the next one is awaited

    async def aclose(self) -> None:
        """Stop the listing, cancelling and awaiting any page fetches in flight."""
        if self._items is not None:
            await self._items.aclose()
        if self._page_iter is not None:
            await self._page_iter.aclose()

    async def _pages(self) -> AsyncGenerator[Page[T], None]:
        page = await self._fetch(self._first_url)
        try:
            remaining = self._planned_urls(page)
        except PackagesError:  # a foreign rel="last": this page is fine, the rest is refused
            yield page
            raise
        if remaining is not None:
            # Inline rather than a nested generator: a listing dropped mid-way has each async
            # generator finalized on its own, and an inner one closed by both its finalizer
            # and ours fails with "aclose(): asynchronous generator is already running".
            window = self._new_window()
            pending: deque[asyncio.Task[Page[T]]] = deque()
            try:
                self._top_up(pending, remaining, window.size)  # on their way while page is used
                yield page
                del page
                while pending:
                    yield await self._next_prefetched(pending, remaining, window)
            finally:
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
            return
        yield page
        fetched, warned = {self._first_url}, False
        while (url := self._url_after(page)) is not None:
            if url in fetched:
                raise LinkLoopError(
                    'the Link header\'s rel="next" points back at a page this listing '
                    "already fetched; stopping rather than yielding its items again",
                    method="GET",
                    url=redact_url(url),
                )
            fetched.add(url)
            guessed = not page.links  # followed by page number, see the module docstring
            del page  # not kept alive while the next one is fetched
            page = await self._fetch(url)
            if guessed and page.items and not warned:
                warned = True
                logger.warning(
                    "GET %s: GitHub answered a full page without a Link header although "
                    "more pages follow; following by page number until a short page",
                    redact_url(url),
                )
            yield page

    def _url_after(self, page: Page[T]) -> str | None:
        """The URL of the page after ``page``, checked against the origin; None after the last."""
        url = page.next_url
        if url is not None:
            self._check_url(url)  # before anything else: a foreign link is refused, always
            return url if page.items else None  # an empty page ends the listing even if it links on
        if page.links or self._per_page is None or len(page.items) < self._per_page:
            return None
        url = url_with_page(page.url, (page_number(page.url) or 1) + 1)
        self._check_url(url)
        return url

    def _planned_urls(self, page: Page[T]) -> Iterator[str] | None:
        """The URLs after ``page`` when ``rel="last"`` makes them known; else None."""
        next_url, last_url = page.next_url, page.last_url
        widest = self._max_prefetch if self._window is None else self._window
        if widest <= 1 or next_url is None or last_url is None:
            return None
        current, last = page_number(next_url), page_number(last_url)
        if current is None or last is None or last < current:
            return None
        if page_urls(last_url, current, current)[0] != next_url:
            return None
        self._check_url(last_url)
        return iter(page_urls(last_url, current, last))

    def _new_window(self) -> PrefetchWindow:
        if self._window is None:
            return PrefetchWindow(self._max_prefetch)
        return PrefetchWindow(self._window, adaptive=False)

    async def _next_prefetched(
        self,
        pending: deque[asyncio.Task[Page[T]]],
        urls: Iterator[str],
        window: PrefetchWindow,
    ) -> Page[T]:
        """The oldest page in flight; the window is sized by whether it was there when wanted."""
        ready = pending[0].done()
        self._top_up(pending, urls, window.asked(ready))
        wall_s, cpu_s = time.perf_counter(), time.process_time()
        page = await pending.popleft()
        if not ready:
            window.waited(time.perf_counter() - wall_s, time.process_time() - cpu_s)
        self._top_up(pending, urls, window.size)
        return page

    def _top_up(
        self, pending: deque[asyncio.Task[Page[T]]], urls: Iterator[str], size: int
    ) -> None:
        """Start fetches of the next URLs until ``size`` are in flight (or none are left)."""
        while len(pending) < size and (url := next(urls, None)) is not None:
            pending.append(asyncio.ensure_future(self._fetch(url)))
