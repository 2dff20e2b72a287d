"""githubkit and gidgethub, each used the way its documentation shows for listing all pages.

Both are optional (``pip install -e '.[bench]'``); :func:`missing` says which cannot be
imported and why, and nothing here imports them at module level.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..data import Tally
from . import TOKEN, user_path

__all__ = ["GidgethubClient", "GithubkitClient", "githubkit_parse", "missing"]

NOT_INSTALLED = "not installed (pip install -e '.[bench]')"


def missing(name: str) -> str | None:
    """None when ``name`` imports; else why not (the message the table prints)."""
    try:
        importlib.import_module(name)
    except ImportError as exc:
        if exc.name == name:
            return NOT_INSTALLED
        return f"{NOT_INSTALLED}; import failed: {exc}"
    return None


def githubkit_parse() -> tuple[Any, Any]:
    """githubkit's per-response parse (``type_validate_json``) and its ``list[Package]`` model."""
    from githubkit.compat import type_validate_json

    try:
        from githubkit_schemas.latest.models import Package
    except ImportError:  # githubkit before the schemas were split out
        from githubkit.versions.latest.models import Package  # type: ignore[no-redef,import-not-found,unused-ignore]

    return type_validate_json, list[Package]


class GithubkitClient:
    """``GitHub.rest.paginate`` over ``rest.packages.async_list_packages_for_user``.

    ``http_cache=False``: the SDK keeps no HTTP cache by default either.
    """

    label = "githubkit"

    def __init__(self, base_url: str) -> None:
        from githubkit import GitHub

        self.gh: Any = GitHub(TOKEN, base_url=base_url, http_cache=False)
        self._entered = False

    async def _open(self) -> Any:
        if not self._entered:
            await self.gh.__aenter__()
            self._entered = True
        return self.gh

    async def list_user(self, login: str) -> Tally:
        gh = await self._open()
        tally = Tally()
        add = tally.add
        pages = gh.rest.paginate(
            gh.rest.packages.async_list_packages_for_user,
            username=login,
            package_type="container",
            per_page=100,
        )
        async for pkg in pages:
            add(pkg.id)
        return tally

    async def aclose(self) -> None:
        if self._entered:
            await self.gh.__aexit__(None, None, None)
            self._entered = False


class GidgethubClient:
    """``gidgethub.aiohttp.GitHubAPI.getiter`` (JSON to dicts, ``rel="next"`` following)."""

    label = "gidgethub"

    def __init__(self, base_url: str) -> None:
        import aiohttp
        from gidgethub.aiohttp import GitHubAPI

        self.session = aiohttp.ClientSession()
        self.gh: Any = GitHubAPI(
            self.session, "aiogh-benchmarks", oauth_token=TOKEN, base_url=base_url
        )

    async def list_user(self, login: str) -> Tally:
        tally = Tally()
        add = tally.add
        async for item in self.gh.getiter(user_path(login)):
            add(item["id"])
        return tally

    async def aclose(self) -> None:
        await self.session.close()
