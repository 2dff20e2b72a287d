"""PackagesClient end to end against the fake GitHub: every operation, paging, headers, safety."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from conftest import TOKEN, make_client

from aiogh_packages import (
    AuthError,
    NotFoundError,
    Package,
    PackagesClient,
    PackageVersion,
    UnsafeURLError,
    ValidationFailed,
)
from aiogh_packages.testing import FakeGitHub, Fault, Store


async def test_seed_example_lists_packages_and_versions(client: PackagesClient) -> None:
    """The README's first example: octocat's rubygems versions come back newest first."""
    versions = [
        v async for v in client.iter_user_package_versions("octocat", "rubygems", "octo-name")
    ]
    assert [(v.id, v.name) for v in versions] == [
        (3497268, "0.3.0"),
        (387039, "0.2.0"),
        (169770, "0.1.0"),
    ]
    assert all(isinstance(v, PackageVersion) for v in versions)


async def test_user_packages_of_the_seed(client: PackagesClient) -> None:
    """monalisa's container packages are listed with owner, visibility and creation time."""
    packages = [p async for p in client.iter_user_packages("monalisa", "container")]
    names = {p.name for p in packages}
    assert {"hello_docker", "goodbye_docker"} <= names
    for p in packages:
        assert isinstance(p, Package)
        assert p.owner is not None and p.owner.login.lower() == "monalisa"
        assert p.created_at.tzinfo is not None


def _store_with_pages(count: int, owner: str = "pager") -> Store:
    store = Store()
    store.add_user(owner)
    store.add_org("pager-org")
    store.add_packages(owner, "container", count=count)
    return store


async def test_twenty_five_pages_yield_every_item_once_in_order_one_page_at_a_time() -> None:
    """A 25-page listing returns every package once, in order, fetching page k+1 only after page k is consumed."""
    async with (
        FakeGitHub(store=_store_with_pages(25 * 4)) as server,
        make_client(server, prefetch_window=1) as gh,
    ):
        seen: list[int] = []
        requests_while_consuming: list[int] = []
        async for pkg in gh.iter_user_packages("pager", "container", per_page=4):
            seen.append(pkg.id)
            requests_while_consuming.append(len(server.requests))
        assert len(seen) == 100 == len(set(seen))
        assert seen == sorted(seen)
        assert requests_while_consuming == [i // 4 + 1 for i in range(100)]
        assert len(server.requests) == 25


async def test_next_links_are_followed_as_given_by_owner_id(server: FakeGitHub) -> None:
    """Pages after the first are fetched at the Link URL, which names the owner by id."""
    server.store.add_packages("octocat", "npm", count=5)
    async with make_client(server, prefetch_window=1) as gh:
        items = [p async for p in gh.iter_user_packages("octocat", "npm", per_page=2)]
    assert len(items) >= 5
    paths = [r.path for r in server.requests]
    assert paths[0] == "/users/octocat/packages"
    assert all(p.startswith("/user/") and p.endswith("/packages") for p in paths[1:])
    assert all(r.query.get("per_page") == "2" for r in server.requests)


async def test_pages_view_carries_links_and_rate_limit(server: FakeGitHub) -> None:
    """.pages() yields pages with their items, Link relations and rate-limit state."""
    server.store.add_packages("octocat", "maven", count=5)
    async with make_client(server) as gh:
        pages = [p async for p in gh.iter_user_packages("octocat", "maven", per_page=2).pages()]
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert pages[0].next_url is not None and pages[0].last_url is not None
    assert pages[-1].next_url is None
    assert pages[0].rate_limit is not None and pages[0].rate_limit.limit > 0
    assert pages[1].url == pages[0].next_url


async def test_requests_carry_github_headers(client: PackagesClient, server: FakeGitHub) -> None:
    """Accept, API version, User-Agent and Bearer token are sent on every request."""
    await client.get_user_package("octocat", "rubygems", "octo-name")
    headers = server.requests[-1].headers
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["user-agent"].startswith("aiogh-packages/")
    assert headers["authorization"] == f"Bearer {TOKEN}"


async def test_no_token_sends_no_authorization(server: FakeGitHub) -> None:
    """Without a token no Authorization header is sent."""
    async with PackagesClient(base_url=server.base_url) as gh:
        await gh.get_user_package("octocat", "rubygems", "octo-name")
    assert "authorization" not in server.requests[-1].headers


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda gh: gh.iter_user_packages("octocat", "pypi"), ["'pypi'", "container"]),
        (lambda gh: gh.iter_user_packages("octocat", "container", per_page=0), ["per_page", "0"]),
        (lambda gh: gh.iter_user_packages("octocat", "container", per_page=101), ["101"]),
        (lambda gh: gh.iter_user_packages("", "container"), ["username"]),
        (
            lambda gh: gh.iter_org_packages("o", "npm", visibility="hidden"),
            ["'hidden'", "internal"],
        ),
        (lambda gh: gh.iter_org_package_versions("o", "npm", "p", state="gone"), ["'gone'"]),
        (lambda gh: gh.iter_user_package_versions("u", "npm", " "), ["package_name"]),
        (lambda gh: gh.get_user_package_version("u", "npm", "p", 0), ["package_version_id"]),
        (lambda gh: gh.delete_org_package_version("o", "npm", "p", -1), ["-1"]),
        (lambda gh: gh.restore_user_package("u", "docker", ""), ["package_name"]),
        (lambda gh: gh.fan_out_user_packages(["a"], "gem"), ["'gem'"]),
    ],
)
async def test_bad_input_fails_before_any_request(
    client: PackagesClient, server: FakeGitHub, call: object, words: list[str]
) -> None:
    """Bad arguments raise ValueError naming the value; the server sees nothing."""
    with pytest.raises(ValueError) as info:
        result = call(client)  # type: ignore[operator]
        if hasattr(result, "__await__"):
            await result
    for word in words:
        assert word in str(info.value)
    assert server.requests == []


async def test_non_string_names_raise_type_error(
    client: PackagesClient, server: FakeGitHub
) -> None:
    """A non-string owner raises TypeError before any request."""
    with pytest.raises(TypeError, match="username"):
        client.iter_user_packages(123, "container")  # type: ignore[arg-type]
    assert server.requests == []


async def test_slash_in_package_name_is_one_encoded_segment(
    client: PackagesClient, server: FakeGitHub
) -> None:
    """A container named org/image is requested as .../container/org%2Fimage."""
    server.store.add_package("octocat", "container", "org/image")
    server.store.add_version("octocat", "container", "org/image", name="sha256:1", tags=("v1",))
    pkg = await client.get_user_package("octocat", "container", "org/image")
    assert pkg.name == "org/image"
    assert server.requests[-1].path == "/users/octocat/packages/container/org%2Fimage"
    versions = [
        v async for v in client.iter_user_package_versions("octocat", "container", "org/image")
    ]
    assert versions[0].tags == ("v1",)


async def test_dot_dot_name_cannot_escape_its_segment(
    client: PackagesClient, server: FakeGitHub
) -> None:
    """'../x' is sent as one segment and answered 404, not resolved to another path."""
    with pytest.raises(NotFoundError):
        await client.get_user_package("octocat", "container", "../x")
    assert server.requests[-1].path == "/users/octocat/packages/container/..%2Fx"


async def test_not_found_error_carries_github_details(client: PackagesClient) -> None:
    """A 404 raises NotFoundError with status, message, request id, method and URL."""
    with pytest.raises(NotFoundError) as info:
        await client.get_user_package("octocat", "container", "nope")
    err = info.value
    assert err.status == 404 and err.github_message == "Package not found."
    assert err.request_id and err.method == "GET"
    assert err.url.endswith("/users/octocat/packages/container/nope")
    assert err.attempts == 1


async def test_ten_thousand_item_cap_is_a_validation_error(
    client: PackagesClient, server: FakeGitHub
) -> None:
    """A page beyond per_page*page=10000 is refused with a 400 (ValidationFailed)."""
    url = f"{server.base_url}/users/octocat/packages?package_type=rubygems&per_page=100&page=101"
    with pytest.raises(ValidationFailed) as info:
        [p async for p in client.iter_packages_from_url(url)]
    assert info.value.status == 400


async def test_missing_token_on_user_endpoints_is_auth_error(server: FakeGitHub) -> None:
    """/user/... without a token answers 401, raised as AuthError."""
    async with PackagesClient(base_url=server.base_url) as gh:
        with pytest.raises(AuthError):
            [p async for p in gh.iter_authenticated_user_packages("container")]


async def test_link_to_another_origin_is_refused_without_sending_the_token(
    server: FakeGitHub,
) -> None:
    """A next link to another host:port raises UnsafeURLError and that host gets no request."""
    async with FakeGitHub(store=Store()) as elsewhere, make_client(server) as gh:
        link = f'<{elsewhere.base_url}/user/1/packages?page=2>; rel="next"'
        server.add_fault(Fault(status=200, body=[], headers={"Link": link}, method="GET"))
        with pytest.raises(UnsafeURLError) as info:
            [p async for p in gh.iter_user_packages("octocat", "rubygems")]
        assert elsewhere.requests == []
        assert TOKEN not in str(info.value)


@pytest.mark.parametrize("suffix", ["0/user/1/packages", ".evil.example/x", "@evil.example/x"])
async def test_lookalike_link_that_starts_with_base_url_is_refused(
    server: FakeGitHub, suffix: str
) -> None:
    """A next link that merely begins with base_url's text (port 80800, host.evil, user@host) is refused."""
    async with make_client(server) as gh:
        link = f'<{server.base_url}{suffix}?page=2>; rel="next"'
        server.add_fault(Fault(status=200, body=[], headers={"Link": link}, method="GET"))
        with pytest.raises(UnsafeURLError):
            [p async for p in gh.iter_user_packages("octocat", "rubygems")]
        assert len(server.requests) == 1


async def test_redirect_to_another_origin_is_refused(server: FakeGitHub) -> None:
    """A 302 to another origin raises UnsafeURLError; the other host never sees the token."""
    async with FakeGitHub(store=Store()) as elsewhere, make_client(server) as gh:
        server.add_fault(
            Fault(status=302, body=b"", headers={"Location": elsewhere.base_url + "/x"})
        )
        with pytest.raises(UnsafeURLError):
            await gh.get_user_package("octocat", "rubygems", "octo-name")
        assert elsewhere.requests == []


async def test_same_origin_redirect_is_followed(client: PackagesClient, server: FakeGitHub) -> None:
    """A 301 to a path on the API origin is followed with the token."""
    target = server.base_url + "/users/octocat/packages/rubygems/octo-name"
    server.add_fault(
        Fault(
            status=301,
            body=b"",
            headers={"Location": target},
            path="/users/someone-old/packages/rubygems/octo-name",
        )
    )
    pkg = await client.get_user_package("someone-old", "rubygems", "octo-name")
    assert pkg.name == "octo-name"
    assert server.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"


async def test_token_never_in_repr_str_or_logs(
    server: FakeGitHub, caplog: pytest.LogCaptureFixture
) -> None:
    """The token appears in no repr, error text or log line, even through retries."""
    caplog.set_level(logging.DEBUG, logger="aiogh_packages")
    server.fail_next(503, times=1)
    async with make_client(server) as gh:
        assert TOKEN not in repr(gh) and TOKEN not in str(gh)
        await gh.get_user_package("octocat", "rubygems", "octo-name")
        with pytest.raises(NotFoundError) as info:
            await gh.restore_user_package("octocat", "npm", "nope", token="pkg-secret-77")
    assert "retrying" in caplog.text
    for text in (caplog.text, str(info.value), repr(info.value)):
        assert TOKEN not in text and "pkg-secret-77" not in text


async def test_borrowed_session_stays_open(server: FakeGitHub) -> None:
    """A caller's ClientSession is used and left open; an owned one is closed."""
    async with aiohttp.ClientSession() as session:
        async with PackagesClient(TOKEN, base_url=server.base_url, session=session) as gh:
            await gh.get_user_package("octocat", "rubygems", "octo-name")
        assert not session.closed
        assert server.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"


async def test_enterprise_base_url_prefix_is_kept() -> None:
    """A GHES-style base_url with /api/v3 prefixes every path (served here by a prefixed fake)."""
    client = PackagesClient(TOKEN, base_url="https://ghes.example/api/v3/")
    assert client.base_url == "https://ghes.example/api/v3"
    with pytest.raises(UnsafeURLError):
        client.iter_packages_from_url("https://api.github.com/user/packages?page=2")
    await client.aclose()


def test_constructor_rejects_bad_configuration() -> None:
    """Bad client settings fail at construction with the value named."""
    with pytest.raises(ValueError, match="100"):
        PackagesClient(max_concurrency=101)
    with pytest.raises(ValueError, match="max_concurrency"):
        PackagesClient(max_concurrency=0)
    with pytest.raises(ValueError, match="ftp://x"):
        PackagesClient(base_url="ftp://x")
    with pytest.raises(ValueError, match="token"):
        PackagesClient("")
