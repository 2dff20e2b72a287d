"""The synthetic data set: owners, item ids, GitHub-shaped page bodies and expected tallies.

Everything is a pure function of (owner number, page count, page, per_page), so the server
can render any page on demand and the driver can compute what a complete listing must
return without asking the server.

* An owner's login is ``bench-p{pages}-{n}`` (``n >= 1``): the login says how many pages
  its listing has. Its numeric id (used in ``Link`` URLs, like GitHub's ``/user/583231/...``)
  is ``OWNER_ID_BASE + pages * 100_000 + n``.
* Item ``i`` (1-based) of page ``p`` of owner ``n`` has id ``n * 10**7 + p * 1000 + i``, so
  ids are unique across owners and increase through a listing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MAX_PER_PAGE",
    "OWNER_ID_BASE",
    "Tally",
    "expected_tally",
    "item_id",
    "owner_id",
    "owner_login",
    "page_template",
    "parse_login",
    "parse_owner_id",
    "render_page",
]

OWNER_ID_BASE = 10_000_000
MAX_PER_PAGE = 100
_LOGIN = re.compile(r"bench-p(\d{1,4})-(\d{1,5})")


def owner_login(n: int, pages: int) -> str:
    """The login of owner ``n`` (>= 1) whose listing has ``pages`` full pages."""
    if n < 1 or not 1 <= pages <= 9999:
        raise ValueError(f"owner number must be >= 1 and pages 1..9999, got {n}, {pages}")
    return f"bench-p{pages}-{n}"


def parse_login(login: str) -> tuple[int, int] | None:
    """``(n, pages)`` of a benchmark login, or None for any other name."""
    match = _LOGIN.fullmatch(login)
    if match is None or int(match.group(2)) < 1:
        return None
    return int(match.group(2)), int(match.group(1))


def owner_id(n: int, pages: int) -> int:
    """The numeric account id of owner ``n`` with ``pages`` pages."""
    return OWNER_ID_BASE + pages * 100_000 + n


def parse_owner_id(value: int) -> tuple[int, int] | None:
    """``(n, pages)`` of a numeric owner id made by :func:`owner_id`, or None."""
    rest = value - OWNER_ID_BASE
    if rest <= 0:
        return None
    pages, n = divmod(rest, 100_000)
    return (n, pages) if n >= 1 and pages >= 1 else None


def item_id(n: int, page: int, i: int) -> int:
    """The id of item ``i`` (1-based) on page ``page`` of owner ``n``."""
    return n * 10_000_000 + page * 1000 + i


_OWNER = (
    '{"login":"%(login)s","id":%(oid)s,"node_id":"U_kgDO%(oid)s",'
    '"avatar_url":"https://avatars.githubusercontent.com/u/%(oid)s?v=4","gravatar_id":"",'
    '"url":"https://api.github.com/users/%(login)s","html_url":"https://github.com/%(login)s",'
    '"followers_url":"https://api.github.com/users/%(login)s/followers",'
    '"following_url":"https://api.github.com/users/%(login)s/following{/other_user}",'
    '"gists_url":"https://api.github.com/users/%(login)s/gists{/gist_id}",'
    '"starred_url":"https://api.github.com/users/%(login)s/starred{/owner}{/repo}",'
    '"subscriptions_url":"https://api.github.com/users/%(login)s/subscriptions",'
    '"organizations_url":"https://api.github.com/users/%(login)s/orgs",'
    '"repos_url":"https://api.github.com/users/%(login)s/repos",'
    '"events_url":"https://api.github.com/users/%(login)s/events{/privacy}",'
    '"received_events_url":"https://api.github.com/users/%(login)s/received_events",'
    '"type":"%(type)s","site_admin":false}'
)

_ITEM = (
    '{"id":%%(n)s%%(p)s%(i)03d,"name":"pkg-%%(p)s%(i)03d","package_type":"container",'
    '"owner":%(owner)s,"version_count":%(i)d,"visibility":"%(vis)s",'
    '"url":"https://api.github.com/%%(scope)s/%%(login)s/packages/container/pkg-%%(p)s%(i)03d",'
    '"created_at":"2020-05-19T22:19:%(s)02dZ","updated_at":"2024-11-02T08:41:%(s)02dZ",'
    '"html_url":"https://github.com/%%(scope)s/%%(login)s/packages/container/package/pkg-%%(p)s%(i)03d"}'
)

_TEMPLATES: dict[int, bytes] = {}


def page_template(per_page: int) -> bytes:
    """A page of ``per_page`` packages with ``%(n)s %(p)s %(login)s %(oid)s %(scope)s
    %(type)s`` placeholders (bytes ``%``-formatting, one C-level pass per request)."""
    cached = _TEMPLATES.get(per_page)
    if cached is not None:
        return cached
    items = [
        _ITEM % {"i": i, "owner": _OWNER, "vis": "private" if i % 3 else "public", "s": i % 60}
        for i in range(1, per_page + 1)
    ]
    template = ("[" + ",".join(items) + "]").encode()
    _TEMPLATES[per_page] = template
    return template


def render_page(n: int, pages: int, page: int, per_page: int, *, org: bool = False) -> bytes:
    """The JSON body of page ``page`` (1-based) of owner ``n``; ``[]`` past the last page."""
    if page > pages or page < 1:
        return b"[]"
    return page_template(per_page) % {
        b"n": str(n).encode(),
        b"p": b"%04d" % page,
        b"login": owner_login(n, pages).encode(),
        b"oid": str(owner_id(n, pages)).encode(),
        b"scope": b"orgs" if org else b"users",
        b"type": b"Organization" if org else b"User",
    }


@dataclass
class Tally:
    """What a client returned: item count and an order-independent id checksum."""

    count: int = 0
    id_sum: int = 0
    id_sq_sum: int = 0

    def add(self, value: int) -> None:
        self.count += 1
        self.id_sum += value
        self.id_sq_sum += value * value

    def add_all(self, values: list[int]) -> None:
        self.count += len(values)
        self.id_sum += sum(values)
        self.id_sq_sum += sum(v * v for v in values)

    def merge(self, other: Tally) -> None:
        self.count += other.count
        self.id_sum += other.id_sum
        self.id_sq_sum += other.id_sq_sum

    @property
    def checksum(self) -> str:
        return f"{self.id_sum:x}:{self.id_sq_sum % (2**61 - 1):x}"


def expected_tally(owners: list[int], pages: int, per_page: int) -> Tally:
    """The tally of complete listings of ``owners`` (owner numbers) with ``pages`` pages."""
    tally = Tally()
    for n in owners:
        for page in range(1, pages + 1):
            tally.add_all([item_id(n, page, i) for i in range(1, per_page + 1)])
    return tally
