"""Parsing of GitHub's ``Link`` header and the origin rule for following its URLs.

Does no I/O. GitHub sends ``<URL>; rel="next", <URL>; rel="last"``; the URLs are used as
given (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api),
never rebuilt from templates, except for the prefetch page list, which is derived from the
``last`` URL itself by changing only its ``page`` parameter.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["page_number", "page_urls", "parse_link_header"]

_ENTRY = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_REL = re.compile(r"""\brel\s*=\s*("([^"]*)"|[^\s;,]+)""", re.IGNORECASE)


def parse_link_header(value: str | None) -> dict[str, str]:
    """Map each ``rel`` of a ``Link`` header to its URL; ``{}`` when absent or empty.

    A ``rel`` naming several relations (``rel="next last"``) maps each of them. The first
    URL given for a relation wins.
    """
    links: dict[str, str] = {}
    if not value:
        return links
    for match in _ENTRY.finditer(value):
        url, params = match.group(1).strip(), match.group(2)
        rel = _REL.search(params)
        if rel is None:
            continue
        names = rel.group(2) if rel.group(2) is not None else rel.group(1)
        for name in names.lower().split():
            links.setdefault(name, url)
    return links


def page_urls(last_url: str, first_page: int, last_page: int) -> list[str]:
    """The URLs of pages ``first_page..last_page``, made by setting ``page`` in ``last_url``.

    Everything else in the URL stays as GitHub wrote it, including the parameter order.
    """
    parts = urlsplit(last_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    urls = []
    for number in range(first_page, last_page + 1):
        new_query = [(k, str(number) if k == "page" else v) for k, v in query]
        urls.append(urlunsplit(parts._replace(query=urlencode(new_query, safe=","))))
    return urls


def page_number(url: str) -> int | None:
    """The ``page`` query parameter of ``url`` as an int, or None when absent or not a number."""
    for key, value in parse_qsl(urlsplit(url).query):
        if key == "page":
            return int(value) if value.isdigit() else None
    return None
