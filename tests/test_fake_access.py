"""With tokens declared the fake GitHub applies GitHub's access rules and token kinds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from aiogh_packages.testing import FakeGitHub, TokenInfo, sample_store

OCTOCAT, MONALISA, ACTIONS = "ghp_octocat", "ghp_monalisa", "ghs_actions"
FINE = "github_pat_11AAAA"
TOKENS = {
    OCTOCAT: TokenInfo("octocat"),
    MONALISA: TokenInfo("monalisa"),
    ACTIONS: TokenInfo.actions("octo-org/hello-world-npm"),
    FINE: TokenInfo("octocat", kind="fine_grained"),
}
NPM = "/orgs/octo-org/packages/npm/hello-world-npm"


@pytest.fixture
async def gh() -> AsyncIterator[FakeGitHub]:
    """The sample data with four declared tokens (so GitHub's rules are on)."""
    async with FakeGitHub(store=sample_store(), tokens=TOKENS) as server:
        yield server


async def send(gh: FakeGitHub, token: str | None, path: str, method: str = "GET") -> Any:
    """Status and JSON body (None when empty) of one request with ``token``."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.request(method, gh.base_url + path) as reply,
    ):
        body = await reply.read()
        return reply.status, (await reply.json() if body else None)


def names(body: list[dict[str, Any]]) -> list[str]:
    """The ``name`` of each listed item."""
    return [item["name"] for item in body]


async def test_anonymous_request_for_a_public_package_is_401(gh: FakeGitHub) -> None:
    """Without a token even a public package answers 401 "Requires authentication"."""
    status, body = await send(gh, None, "/users/octocat/packages/rubygems/octo-name")
    assert (status, body["message"]) == (401, "Requires authentication")


async def test_listing_shows_another_users_public_packages_only(gh: FakeGitHub) -> None:
    """monalisa listing octocat's containers sees none: hello_docker is private."""
    status, body = await send(gh, MONALISA, "/users/octocat/packages?package_type=container")
    assert (status, body) == (200, [])


async def test_owner_lists_their_own_private_packages(gh: FakeGitHub) -> None:
    """octocat sees its own private container in the same listing."""
    _, body = await send(gh, OCTOCAT, "/users/octocat/packages?package_type=container")
    assert names(body) == ["hello_docker"]


async def test_another_users_private_package_is_package_not_found(gh: FakeGitHub) -> None:
    """A private package the caller cannot read is 404 "Package not found."."""
    status, body = await send(gh, OCTOCAT, "/users/monalisa/packages/container/hello_docker")
    assert (status, body["message"]) == (404, "Package not found.")


async def test_deleting_another_users_public_package_is_403(gh: FakeGitHub) -> None:
    """Reading is not enough to delete: 403, and the package stays."""
    status, _ = await send(gh, MONALISA, "/users/octocat/packages/rubygems/octo-name", "DELETE")
    assert status == 403
    assert gh.store.package_exists("octocat", "rubygems", "octo-name")


async def test_org_admin_may_delete_an_org_package(gh: FakeGitHub) -> None:
    """octocat, an owner of octo-org, deletes its npm package."""
    status, _ = await send(gh, OCTOCAT, NPM, "DELETE")
    assert status == 204


async def test_org_member_without_a_package_role_cannot_delete(gh: FakeGitHub) -> None:
    """monalisa, a plain member, gets 403 deleting an org package."""
    status, _ = await send(gh, MONALISA, NPM, "DELETE")
    assert status == 403


async def test_package_admin_role_lets_a_member_delete(gh: FakeGitHub) -> None:
    """Granting monalisa the package's admin role lets her delete it."""
    gh.store.grant("octo-org", "npm", "hello-world-npm", "admin", user="monalisa")
    status, _ = await send(gh, MONALISA, NPM, "DELETE")
    assert status == 204


async def test_org_private_package_is_hidden_from_members_without_a_role(gh: FakeGitHub) -> None:
    """A private org package is invisible to a member without a role, readable with one."""
    path = "/orgs/octo-org/packages/docker/hello-world-docker"
    hidden, _ = await send(gh, MONALISA, path)
    gh.store.grant("octo-org", "docker", "hello-world-docker", "read", user="monalisa")
    shown, _ = await send(gh, MONALISA, path)
    assert (hidden, shown) == (404, 200)


async def test_internal_container_is_readable_by_every_org_member(gh: FakeGitHub) -> None:
    """An internal container package is visible to a plain member of its organization."""
    gh.store.add_package("octo-org", "container", "base", visibility="internal")
    status, _ = await send(gh, MONALISA, "/orgs/octo-org/packages/container/base")
    assert status == 200


async def test_fine_grained_token_is_refused(gh: FakeGitHub) -> None:
    """A fine-grained PAT gets 403 on the Packages API."""
    status, _ = await send(gh, FINE, "/users/octocat/packages?package_type=npm")
    assert status == 403


async def test_actions_token_listing_org_packages_is_invalid_argument(gh: FakeGitHub) -> None:
    """GITHUB_TOKEN listing an organization's packages answers 400 "Invalid argument."."""
    status, body = await send(gh, ACTIONS, "/orgs/octo-org/packages?package_type=npm")
    assert (status, body["message"]) == (400, "Invalid argument.")


async def test_actions_token_on_user_packages_is_not_accessible(gh: FakeGitHub) -> None:
    """GITHUB_TOKEN on a user-owned package answers 403 "Resource not accessible by integration"."""
    status, body = await send(gh, ACTIONS, "/users/octocat/packages/rubygems/octo-name")
    assert (status, body["message"]) == (403, "Resource not accessible by integration")


async def test_actions_token_deletes_only_with_admin_granted_to_its_repository(
    gh: FakeGitHub,
) -> None:
    """A linked package refuses the Actions token until it grants the repository admin."""
    version = f"{NPM}/versions/209672"
    refused, _ = await send(gh, ACTIONS, version, "DELETE")
    gh.store.grant(
        "octo-org", "npm", "hello-world-npm", "admin", repository="octo-org/hello-world-npm"
    )
    allowed, _ = await send(gh, ACTIONS, version, "DELETE")
    assert (refused, allowed) == (403, 204)


async def test_actions_token_cannot_see_packages_of_other_repositories(gh: FakeGitHub) -> None:
    """A private org package not linked to the token's repository is 404."""
    status, _ = await send(gh, ACTIONS, "/orgs/octo-org/packages/docker/hello-world-docker")
    assert status == 404


async def test_without_declared_tokens_any_token_is_the_stores_admin() -> None:
    """The permissive default: any token may delete another user's private package."""
    async with FakeGitHub(store=sample_store()) as server:
        status, _ = await send(
            server, "anything", "/users/monalisa/packages/container/goodbye_docker", "DELETE"
        )
    assert status == 204


def test_actions_token_needs_its_repository() -> None:
    """An actions TokenInfo without owner/name is refused, naming what is accepted."""
    with pytest.raises(ValueError, match="repository='owner/name'"):
        TokenInfo(kind="actions")


@pytest.mark.fake_github(tokens={"ghp_m": TokenInfo("monalisa")})
async def test_fixture_marker_declares_tokens_in_one_line(fake_github: FakeGitHub) -> None:
    """The fake_github marker passes tokens to the fixture's server, so the rules apply."""
    status, _ = await send(fake_github, None, "/users/octocat/packages/rubygems/octo-name")
    assert status == 401


async def test_anonymous_rate_limit_status_is_still_served(gh: FakeGitHub) -> None:
    """GET /rate_limit needs no token on GitHub, so it answers 200 with the anonymous 60."""
    status, body = await send(gh, None, "/rate_limit")
    assert (status, body["rate"]["limit"]) == (200, 60)
