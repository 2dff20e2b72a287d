"""The fake GitHub refuses deletions GitHub refuses: the last version and popular public ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from aiogh_packages.testing import FakeGitHub, ManualClock, Store

AUTH = {"Authorization": "Bearer test-token", "User-Agent": "rules-test"}
LAST_VERSION = (
    "You cannot delete the last version of a package. You must delete the package instead."
)
POPULAR = (
    "Publicly visible package versions with more than 5000 downloads cannot be deleted. "
    "Contact GitHub support for further assistance."
)


def _store(visibility: str = "public", downloads: tuple[int, ...] = (0, 0)) -> Store:
    store = Store()
    store.add_user("ann", id=1)
    store.add_package("ann", "npm", "lib", visibility=visibility)
    for number, count in enumerate(downloads):
        store.add_version("ann", "npm", "lib", f"1.0.{number}", id=100 + number, downloads=count)
    return store


async def _send(server: FakeGitHub, method: str, path: str) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession(headers=AUTH) as session,
        session.request(method, server.base_url + path) as reply,
    ):
        return reply.status, await reply.json(content_type=None)


@pytest.fixture
async def popular() -> AsyncIterator[FakeGitHub]:
    """A public npm package whose version 100 was downloaded 5,001 times."""
    async with FakeGitHub(store=_store(downloads=(5001, 3))) as server:
        yield server


async def test_deleting_the_last_version_is_400_with_githubs_message() -> None:
    """The only remaining version cannot be deleted: 400 and GitHub's exact text."""
    async with FakeGitHub(store=_store(downloads=(0,))) as server:
        status, body = await _send(server, "DELETE", "/user/packages/npm/lib/versions/100")
    assert (status, body["message"]) == (400, LAST_VERSION)


async def test_the_version_before_last_can_be_deleted_and_then_the_last_cannot() -> None:
    """Of two versions the first deletion succeeds and the second is refused."""
    async with FakeGitHub(store=_store()) as server:
        first, _ = await _send(server, "DELETE", "/user/packages/npm/lib/versions/100")
        second, body = await _send(server, "DELETE", "/user/packages/npm/lib/versions/101")
    assert (first, second, body["message"]) == (204, 400, LAST_VERSION)


async def test_public_version_over_5000_downloads_cannot_be_deleted(popular: FakeGitHub) -> None:
    """A public version downloaded 5,001 times answers 400 and stays active."""
    status, body = await _send(popular, "DELETE", "/user/packages/npm/lib/versions/100")
    assert (status, body["message"]) == (400, POPULAR)
    assert popular.store.get_version("ann", "npm", "lib", 100).state == "active"


async def test_public_package_holding_a_popular_version_cannot_be_deleted(
    popular: FakeGitHub,
) -> None:
    """Deleting the package that holds a popular public version is refused too."""
    status, body = await _send(popular, "DELETE", "/user/packages/npm/lib")
    assert (status, body["message"]) == (400, POPULAR)
    assert popular.store.package_exists("ann", "npm", "lib")


async def test_unpopular_sibling_of_a_popular_version_can_be_deleted(popular: FakeGitHub) -> None:
    """The rule is per version: a version with few downloads is still deletable."""
    status, _ = await _send(popular, "DELETE", "/user/packages/npm/lib/versions/101")
    assert status == 204


async def test_download_rule_applies_to_public_packages_only() -> None:
    """A private version with 10,000 downloads can be deleted."""
    async with FakeGitHub(store=_store("private", (10_000, 0))) as server:
        status, _ = await _send(server, "DELETE", "/user/packages/npm/lib/versions/100")
    assert status == 204


def test_negative_downloads_are_refused() -> None:
    """add_version refuses a negative download count, naming it."""
    store = _store()
    with pytest.raises(ValueError, match="downloads must not be negative, got -1"):
        store.add_version("ann", "npm", "lib", "2.0.0", downloads=-1)


DAY = 86_400


async def test_version_deleted_31_days_ago_cannot_be_restored_nor_listed() -> None:
    """Past GitHub's 30-day window a deleted version is gone: not listed, restore is 404."""
    clock = ManualClock()
    async with FakeGitHub(store=_store(), clock=clock) as server:
        await _send(server, "DELETE", "/user/packages/npm/lib/versions/100")
        clock.advance(31 * DAY)
        _, listed = await _send(server, "GET", "/user/packages/npm/lib/versions?state=deleted")
        status, _ = await _send(server, "POST", "/user/packages/npm/lib/versions/100/restore")
    assert (listed, status) == ([], 404)


async def test_version_deleted_29_days_ago_is_listed_and_restores() -> None:
    """Inside the window the deleted version is listed and its restore is 204."""
    clock = ManualClock()
    async with FakeGitHub(store=_store(), clock=clock) as server:
        await _send(server, "DELETE", "/user/packages/npm/lib/versions/100")
        clock.advance(29 * DAY)
        _, listed = await _send(server, "GET", "/user/packages/npm/lib/versions?state=deleted")
        status, _ = await _send(server, "POST", "/user/packages/npm/lib/versions/100/restore")
    assert ([v["id"] for v in listed], status) == ([100], 204)


async def test_package_deleted_31_days_ago_cannot_be_restored() -> None:
    """A package deleted more than 30 days ago (server clock) answers 404 to restore."""
    clock = ManualClock()
    async with FakeGitHub(store=_store(), clock=clock) as server:
        await _send(server, "DELETE", "/user/packages/npm/lib")
        clock.advance(31 * DAY)
        status, body = await _send(server, "POST", "/user/packages/npm/lib/restore")
    assert (status, body["message"]) == (404, "Package not found.")


@pytest.mark.parametrize("package_type", ["npm", "maven", "rubygems", "nuget", "docker"])
async def test_internal_means_private_outside_containers(package_type: str) -> None:
    """visibility=internal lists the private packages of non-container registries."""
    store = Store()
    store.add_org("corp")
    store.add_package("corp", package_type, "priv", visibility="private")
    store.add_package("corp", package_type, "pub")
    async with FakeGitHub(store=store) as server:
        query = f"package_type={package_type}&visibility=internal"
        status, body = await _send(server, "GET", f"/orgs/corp/packages?{query}")
    assert (status, [p["name"] for p in body]) == (200, ["priv"])


async def test_internal_container_filter_keeps_only_internal_ones() -> None:
    """For containers internal stays its own visibility."""
    store = Store()
    store.add_org("corp")
    store.add_package("corp", "container", "priv", visibility="private")
    store.add_package("corp", "container", "inner", visibility="internal")
    async with FakeGitHub(store=store) as server:
        query = "package_type=container&visibility=internal"
        _, body = await _send(server, "GET", f"/orgs/corp/packages?{query}")
    assert [p["name"] for p in body] == ["inner"]
