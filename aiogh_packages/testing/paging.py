"""Page parameters and ``Link`` headers of the fake's list operations.

Lists are paginated with ``per_page`` (default 30, at most 100) and ``page`` and carry
``prev``/``next``/``last``/``first`` links, as GitHub's do
(https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import urlencode

__all__ = ["link_header", "page_params"]


def _number(value: str | None, default: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number if number >= 1 else default


def page_params(query: Mapping[str, str]) -> tuple[int, int]:
    """``per_page`` (default 30, at most 100) and ``page`` (default 1) of a list request."""
    return min(_number(query.get("per_page"), 30), 100), _number(query.get("page"), 1)


def link_header(
    origin: str, path: str, params: list[tuple[str, str]], per_page: int, page: int, total: int
) -> str | None:
    """GitHub's ``Link`` value for ``page`` of ``total`` items, or ``None`` for a single page."""
    last = max(1, math.ceil(total / per_page))
    if last == 1 and page == 1:
        return None
    rels: list[tuple[str, int]] = []
    if page > 1:
        rels.append(("prev", page - 1))
    if page < last:
        rels += [("next", page + 1), ("last", last)]
    if page > 1:
        rels.append(("first", 1))
    parts = []
    for rel, number in rels:
        query = urlencode([*params, ("per_page", str(per_page)), ("page", str(number))])
        parts.append(f'<{origin}{path}?{query}>; rel="{rel}"')
    return ", ".join(parts)
