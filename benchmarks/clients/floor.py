"""The floor: the least code that lists packages correctly with aiohttp + msgspec.

No retries, no rate-limit handling, no origin checks: what a careful hand-written loop
costs, to measure the SDK's overhead against.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

import aiohttp
import msgspec

from ..data import Tally
from . import TOKEN, user_path

__all__ = ["FLOOR_DECODER", "FloorClient", "FloorOwner", "FloorPackage"]

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_LAST = re.compile(r'<([^>]+)>;\s*rel="last"')
_PAGE = re.compile(r"([?&]page=)(\d+)")


class FloorOwner(msgspec.Struct):
    """The ``owner`` object, every field GitHub sends."""

    login: str
    id: int
    node_id: str
    avatar_url: str
    gravatar_id: str | None
    url: str
    html_url: str
    followers_url: str
    following_url: str
    gists_url: str
    starred_url: str
    subscriptions_url: str
    organizations_url: str
    repos_url: str
    events_url: str
    received_events_url: str
    type: str
    site_admin: bool


class FloorPackage(msgspec.Struct):
    """A package with the same fields and types the SDK decodes."""

    id: int
    name: str
    package_type: str
    owner: FloorOwner | None
    version_count: int
    visibility: str
    url: str
    created_at: datetime
    updated_at: datetime
    html_url: str


FLOOR_DECODER = msgspec.json.Decoder(list[FloorPackage])

_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": "floor/1.0",
    "Authorization": f"Bearer {TOKEN}",
}


class FloorClient:
    """Sequential ``rel="next"`` following, or page 1 then pages 2..N concurrently."""

    def __init__(self, base_url: str, *, parallel: bool = False, concurrency: int = 8) -> None:
        self.label = "floor parallel (rel=last)" if parallel else "floor sequential"
        self.base_url = base_url
        self.parallel = parallel
        self.concurrency = concurrency
        self.session = aiohttp.ClientSession(headers=_HEADERS)

    async def _get(self, url: str) -> tuple[bytes, str]:
        async with self.session.get(url) as resp:
            resp.raise_for_status()
            return await resp.read(), resp.headers.get("Link", "")

    async def list_user(self, login: str) -> Tally:
        tally = Tally()
        add = tally.add
        body, link = await self._get(self.base_url + user_path(login))
        for pkg in FLOOR_DECODER.decode(body):
            add(pkg.id)
        last = _LAST.search(link) if self.parallel else None
        if last is not None and (number := _PAGE.search(last.group(1))) is not None:
            template = last.group(1)
            semaphore = asyncio.Semaphore(self.concurrency)

            async def fetch(page: int) -> bytes:
                url = _PAGE.sub(lambda m: f"{m.group(1)}{page}", template)
                async with semaphore:
                    return (await self._get(url))[0]

            tasks = [asyncio.ensure_future(fetch(p)) for p in range(2, int(number.group(2)) + 1)]
            try:
                for task in tasks:
                    for pkg in FLOOR_DECODER.decode(await task):
                        add(pkg.id)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            return tally
        while (found := _NEXT.search(link)) is not None:
            body, link = await self._get(found.group(1))
            for pkg in FLOOR_DECODER.decode(body):
                add(pkg.id)
        return tally

    async def fan_out(self, logins: list[str]) -> Tally:
        """Every owner as a task, every request inside one ``Semaphore(concurrency)``."""
        semaphore = asyncio.Semaphore(self.concurrency)
        tally = Tally()
        add = tally.add

        async def one(login: str) -> None:
            url: str | None = self.base_url + user_path(login)
            while url is not None:
                async with semaphore:
                    body, link = await self._get(url)
                for pkg in FLOOR_DECODER.decode(body):
                    add(pkg.id)
                found = _NEXT.search(link)
                url = found.group(1) if found else None

        await asyncio.gather(*(one(login) for login in logins))
        return tally

    async def aclose(self) -> None:
        await self.session.close()
