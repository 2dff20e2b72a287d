"""Parsing of the ``Link`` header (RFC 8288) and the page URLs derived from it.

Does no I/O. GitHub sends ``<URL>; rel="next", <URL>; rel="last"``; the URLs are used as
given (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api),
never rebuilt from templates, except in two documented cases that change only the
``page`` parameter of a URL GitHub wrote: the prefetch page list (derived from the
``last`` URL) and the page-number fallback for a full page that came without any ``Link``
(see ``pagination.py``).

The parser follows RFC 8288 section 3 (https://www.rfc-editor.org/rfc/rfc8288#section-3):
several ``Link`` field lines are one list (RFC 9110 section 5.3); link-values are split
on commas outside ``<...>`` and quoted strings, so ``title="a, b"`` does not split a
link; parameters come in any order, quoted or not, with optional whitespace around ``;``
and ``=``; only the first ``rel`` of a link counts and it may name several relations
(``rel="next last"``); a link with an ``anchor`` is about another resource and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["page_number", "page_urls", "parse_link_header", "query_int", "url_with_page"]

# One lexical piece of a Link field value: a <URI>, a quoted string (backslash escapes
# allowed; an unterminated one runs to the end), a separator, or a run of other text.
_PIECE = re.compile(r'<[^>]*>?|"(?:[^"\\]|\\.)*"?|[,;]|[^<",;]+', re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# GitHub's own form, ``<URL>; rel="name"`` joined by ", ", read without the general lexer:
# a value this pattern matches whole parses to the same map either way (tested both ways).
_GITHUB_FORM = re.compile(r'(?:<[^<>\s]*>; rel="[a-z]+"(?:, (?=<)|\Z))+')
_GITHUB_LINK = re.compile(r'<([^<>\s]*)>; rel="([a-z]+)"')
_PAGE_PARAM = re.compile(r"[?&]page=([^&#]*)")


def parse_link_header(value: str | Sequence[str] | None) -> dict[str, str]:
    """Map each relation of a ``Link`` header to its URL; ``{}`` when absent or empty.

    Args:
        value: the field value, or every ``Link`` field line of the response in order
            (``resp.headers.getall("Link", [])`` in aiohttp), or None.

    Returns:
        relation (lower-cased) -> URL. A ``rel`` naming several relations maps each of
        them; the first URL given for a relation wins.
    """
    if value is None:
        return {}
    text = value if isinstance(value, str) else ", ".join(value)
    if _GITHUB_FORM.fullmatch(text) is None:
        return _parse_general(text)
    links: dict[str, str] = {}
    for url, rel in _GITHUB_LINK.findall(text):
        links.setdefault(rel, url)
    return links


def _parse_general(text: str) -> dict[str, str]:
    """:func:`parse_link_header` of any field value, by the RFC 8288 rules above."""
    links: dict[str, str] = {}
    for url, params in _link_values(text):
        if "anchor" in params:
            continue
        for name in params.get("rel", "").lower().split():
            links.setdefault(name, url)
    return links


def _link_values(text: str) -> Iterable[tuple[str, dict[str, str]]]:
    """Each well-formed ``<URL>; params`` entry as (URL, first value of each parameter)."""
    for entry in _split(text, ","):
        target, *raw_params = _split(entry, ";")
        target = target.strip()
        if len(target) < 2 or not (target.startswith("<") and target.endswith(">")):
            continue
        params: dict[str, str] = {}
        for raw in raw_params:
            name, _, param_value = raw.partition("=")
            params.setdefault(name.strip().lower(), _unquote(param_value.strip()))
        yield target[1:-1].strip(), params


def _split(text: str, separator: str) -> list[str]:
    """``text`` split on ``separator`` where it stands outside ``<...>`` and quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    for piece in _PIECE.findall(text):
        if piece == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(piece)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    """A parameter value without its quotes and backslash escapes (RFC 9110 section 5.6.4).

    An unterminated quoted string runs to the end of the link-value.
    """
    if not value.startswith('"'):
        return value
    closed = len(value) >= 2 and value.endswith('"')
    return _ESCAPE.sub(r"\1", value[1:-1] if closed else value[1:])


def page_urls(last_url: str, first_page: int, last_page: int) -> list[str]:
    """The URLs of pages ``first_page..last_page``, made by setting ``page`` in ``last_url``.

    Everything else in the URL stays as GitHub wrote it, including the parameter order.
    """
    query_at = last_url.find("?")
    found = list(_PAGE_PARAM.finditer(last_url, query_at)) if query_at >= 0 else []
    if len(found) != 1 or not found[0].group(1).isdigit():
        return _page_urls_general(last_url, first_page, last_page)
    head, tail = last_url[: found[0].start(1)], last_url[found[0].end(1) :]
    return [f"{head}{number}{tail}" for number in range(first_page, last_page + 1)]


def _page_urls_general(last_url: str, first_page: int, last_page: int) -> list[str]:
    """:func:`page_urls` for a URL with no one numeric ``page`` parameter: every one is set."""
    parts = urlsplit(last_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    urls = []
    for number in range(first_page, last_page + 1):
        new_query = [(k, str(number) if k == "page" else v) for k, v in query]
        urls.append(urlunsplit(parts._replace(query=urlencode(new_query, safe=","))))
    return urls


def url_with_page(url: str, number: int) -> str:
    """``url`` with its ``page`` parameter set to ``number`` (appended when it has none).

    Only the query changes: scheme, authority and path stay as given, so the origin rule
    judges the result exactly as it judged ``url``.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "page" for key, _ in query):
        query = [(k, str(number) if k == "page" else v) for k, v in query]
    else:
        query.append(("page", str(number)))
    return urlunsplit(parts._replace(query=urlencode(query, safe=",")))


def query_int(url: str, name: str) -> int | None:
    """The first ``name`` query parameter of ``url`` as an int, or None when absent or not one."""
    for key, value in parse_qsl(urlsplit(url).query):
        if key == name:
            return int(value) if value.isdigit() else None
    return None


def page_number(url: str) -> int | None:
    """The ``page`` query parameter of ``url`` as an int, or None when absent or not a number."""
    return query_int(url, "page")
