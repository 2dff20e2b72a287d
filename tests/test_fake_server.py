"""The fake GitHub (aiogh_packages.testing) against plain aiohttp requests, never the SDK client."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timezone
from typing import Any

import aiohttp
import msgspec
import pytest
from yarl import URL

from aiogh_packages.models import Package, PackageVersion, SimpleUser
from aiogh_packages.testing import (
    FakeGitHub,
    Fault,
    RecordedRequest,
    Store,
    TokenInfo,
    demo_store,
    sample_store,
)

AUTH = {"Authorization": "Bearer test-token"}
NOT_FOUND = {
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest/packages/packages",
}


class Reply:
    """Status, headers and decoded JSON body (``None`` when empty) of one answer."""

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.raw = body
        is_json = headers.get("Content-Type", "").startswith("application/json")
        self.json: Any = json.loads(body) if body and is_json else None


async def call(
    session: aiohttp.ClientSession,
    url: str,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> Reply:
    """Send one request to an already-encoded URL and read the whole answer."""
    async with session.request(method, URL(url, encoded=True), headers=headers, **kwargs) as r:
        return Reply(r.status, r.headers, await r.read())


def _paged_store(count: int) -> Store:
    store = Store()
    store.add_user("pager", id=4242)
    store.add_org("pager-org", id=9919)
    store.add_packages("pager", "container", count)
    store.add_packages("pager-org", "npm", count)
    return store


@pytest.fixture
async def gh() -> AsyncIterator[FakeGitHub]:
    """The fake GitHub with the sample data, permissive (no tokens declared)."""
    async with FakeGitHub(store=sample_store(), tokens=None) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session that sends a token."""
    async with aiohttp.ClientSession(headers=AUTH) as session:
        yield session


# -- pagination -----------------------------------------------------------------------------


async def test_link_header_has_githubs_shape_and_names_the_user_by_id(
    http: aiohttp.ClientSession,
) -> None:
    """Pages carry prev/next/last/first exactly as GitHub does, addressed as /user/{id}."""
    async with FakeGitHub(store=_paged_store(250)) as gh:
        url = f"{gh.base_url}/users/pager/packages?package_type=container&per_page=100"
        first, second, third = [await call(http, f"{url}&page={n}") for n in (1, 2, 3)]
    page = f"{gh.base_url}/user/4242/packages?package_type=container&per_page=100&page="
    assert first.headers["Link"] == f'<{page}2>; rel="next", <{page}3>; rel="last"'
    assert second.headers["Link"] == (
        f'<{page}1>; rel="prev", <{page}3>; rel="next", <{page}3>; rel="last", <{page}1>; rel="first"'
    )
    assert third.headers["Link"] == f'<{page}2>; rel="prev", <{page}1>; rel="first"'
    assert [len(r.json) for r in (first, second, third)] == [100, 100, 50]


async def test_a_single_page_has_no_link_header(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """Everything on one page means no Link header at all."""
    reply = await call(http, f"{gh.base_url}/users/octocat/packages?package_type=rubygems")
    assert reply.status == 200 and "Link" not in reply.headers


async def test_following_next_links_over_25_pages_yields_every_item_once(
    http: aiohttp.ClientSession,
) -> None:
    """Following rel=next from page 1 visits 25 pages and every package exactly once, in id order."""
    async with FakeGitHub(store=_paged_store(100)) as gh:
        url: str | None = f"{gh.base_url}/users/pager/packages?package_type=container&per_page=4"
        ids: list[int] = []
        while url is not None:
            reply = await call(http, url)
            ids += [p["id"] for p in reply.json]
            url = _rel(reply.headers.get("Link", ""), "next")
        assert len(gh.requests) == 25
        assert [r.path for r in gh.requests[1:]] == ["/user/4242/packages"] * 24
    assert len(ids) == 100 == len(set(ids)) and ids == sorted(ids)


def _rel(link: str, rel: str) -> str | None:
    for part in link.split(","):
        target, _, params = part.partition(";")
        if params.strip() == f'rel="{rel}"':
            return target.strip()[1:-1]
    return None


async def test_org_links_use_organizations_id_and_own_links_stay_under_user(
    http: aiohttp.ClientSession,
) -> None:
    """/orgs/{org} pages link to /organizations/{id}; /user/packages pages to /user/packages."""
    async with FakeGitHub(store=_paged_store(5)) as gh:
        org = await call(http, f"{gh.base_url}/orgs/pager-org/packages?package_type=npm&per_page=2")
        mine = await call(http, f"{gh.base_url}/user/packages?package_type=container&per_page=2")
        followed = await call(http, _rel(org.headers["Link"], "last") or "")
    assert _rel(org.headers["Link"], "next") == (
        f"{gh.base_url}/organizations/9919/packages?package_type=npm&per_page=2&page=2"
    )
    assert _rel(mine.headers["Link"], "next") == (
        f"{gh.base_url}/user/packages?package_type=container&per_page=2&page=2"
    )
    assert followed.status == 200 and [p["name"] for p in followed.json] == ["package-0004"]


async def test_version_links_encode_the_package_name_and_can_be_followed(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """A version listing of org/image links to .../container/org%2Fimage/versions by owner id."""
    gh.store.add_versions("octocat", "container", "org/image", 3)
    first = await call(
        http, f"{gh.base_url}/users/octocat/packages/container/org%2Fimage/versions?per_page=2"
    )
    nxt = _rel(first.headers["Link"], "next")
    assert nxt == (
        f"{gh.base_url}/user/583231/packages/container/org%2Fimage/versions?per_page=2&page=2"
    )
    second = await call(http, nxt)
    assert len(first.json) == 2 and len(second.json) == 1


async def test_per_page_defaults_to_30_and_is_clamped_to_100(http: aiohttp.ClientSession) -> None:
    """Without per_page a page holds 30 items; per_page=500 is served as 100."""
    async with FakeGitHub(store=_paged_store(150)) as gh:
        url = f"{gh.base_url}/users/pager/packages?package_type=container"
        default, clamped = await call(http, url), await call(http, f"{url}&per_page=500")
    assert len(default.json) == 30 and len(clamped.json) == 100
    assert "per_page=100&page=2" in clamped.headers["Link"]


async def test_per_page_times_page_above_10000_is_refused(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """per_page*page over 10000 answers 400 with GitHub's message; exactly 10000 is fine."""
    url = f"{gh.base_url}/users/octocat/packages?package_type=rubygems&per_page=100"
    over, edge = await call(http, f"{url}&page=101"), await call(http, f"{url}&page=100")
    assert over.status == 400 and over.json["message"] == (
        "The value of `per_page` multiplied by `page` cannot be greater than 10000."
    )
    assert edge.status == 200 and edge.json == []


# -- filters, ordering, lifecycle -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["package_type=pypi", "", "package_type=container&visibility=secret"],
)
async def test_bad_package_type_or_visibility_is_400(
    gh: FakeGitHub, http: aiohttp.ClientSession, query: str
) -> None:
    """A missing or unknown package_type, or an unknown visibility, is 400 Invalid argument."""
    reply = await call(http, f"{gh.base_url}/users/monalisa/packages?{query}")
    assert reply.status == 400 and reply.json["message"] == "Invalid argument."


async def test_visibility_filter_keeps_only_that_visibility(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """visibility=public leaves out monalisa's private containers; private keeps them."""
    gh.store.add_package("monalisa", "container", "open", visibility="public")
    url = f"{gh.base_url}/users/monalisa/packages?package_type=container&visibility="
    public, private = await call(http, url + "public"), await call(http, url + "private")
    assert [p["name"] for p in public.json] == ["open"]
    assert [p["name"] for p in private.json] == ["hello_docker", "goodbye_docker"]


async def test_versions_are_listed_newest_first(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """octocat's octo-name versions come back 0.3.0, 0.2.0, 0.1.0 with the seed's ids."""
    reply = await call(http, f"{gh.base_url}/users/octocat/packages/rubygems/octo-name/versions")
    assert [(v["id"], v["name"]) for v in reply.json] == [
        (3497268, "0.3.0"),
        (387039, "0.2.0"),
        (169770, "0.1.0"),
    ]
    assert reply.json[0]["created_at"] == "2020-08-31T15:22:11Z"


async def test_deleted_package_disappears_and_restore_brings_it_back(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """DELETE hides the package from GET and listings; restore (with ?token=) brings it back once."""
    pkg = f"{gh.base_url}/orgs/octo-org/packages/npm/hello-world-npm"
    listing = f"{gh.base_url}/orgs/octo-org/packages?package_type=npm"
    assert (await call(http, pkg, "DELETE")).status == 204
    assert (await call(http, pkg)).json["message"] == "Package not found."
    assert (await call(http, listing)).json == []
    assert (await call(http, f"{pkg}/restore?token=pkg-token", "POST")).status == 204
    assert (await call(http, pkg)).json["name"] == "hello-world-npm"
    assert (await call(http, f"{pkg}/restore", "POST")).status == 404
    assert gh.store.package_exists("octo-org", "npm", "hello-world-npm")


async def test_deleted_version_is_listed_only_under_state_deleted(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """A deleted version gets deleted_at, leaves the active list and can be restored."""
    base = f"{gh.base_url}/user/packages/container/hello_docker/versions"
    assert (await call(http, f"{base}/881", "DELETE")).status == 204
    assert (await call(http, f"{base}/881", "DELETE")).status == 404
    active, deleted = await call(http, base), await call(http, f"{base}?state=deleted")
    assert [v["id"] for v in active.json] == [45763, 214]
    assert [v["id"] for v in deleted.json] == [881] and deleted.json[0]["deleted_at"]
    assert gh.store.get_version("octocat", "container", "hello_docker", 881).state == "deleted"
    assert (await call(http, f"{base}/881/restore", "POST")).status == 204
    assert [v["id"] for v in (await call(http, base)).json] == [45763, 881, 214]
    assert (await call(http, f"{base}?state=gone")).status == 400


async def test_last_active_version_cannot_be_deleted(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """Deleting a package's only active version is 400 with GitHub's message."""
    reply = await call(
        http, f"{gh.base_url}/users/monalisa/packages/container/hello_docker/versions/836", "DELETE"
    )
    assert reply.status == 400 and reply.json["message"] == (
        "You cannot delete the last version of a package. You must delete the package instead."
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/users/nobody/packages/npm/x", "Not Found"),
        ("/orgs/octo-org/packages/npm/nope", "Package not found."),
        ("/orgs/octo-org/packages/npm/hello-world-npm/versions/1", "Not Found"),
        ("/orgs/octo-org/packages/npm/hello-world-npm/versions/abc", "Not Found"),
        ("/orgs/octocat/packages?package_type=npm", "Not Found"),
        ("/users/octo-org/packages?package_type=npm", "Not Found"),
        ("/users/octocat/packages/pypi/octo-name", "Not Found"),
        ("/users/octocat/packages/rubygems/octo-name/", "Not Found"),
    ],
)
async def test_unknown_owner_package_or_version_is_githubs_404(
    gh: FakeGitHub, http: aiohttp.ClientSession, path: str, message: str
) -> None:
    """Unknown owners, versions, kinds, types and trailing slashes are 404; packages say so."""
    reply = await call(http, gh.base_url + path)
    assert reply.status == 404 and reply.json["message"] == message
    assert reply.json["documentation_url"].startswith(NOT_FOUND["documentation_url"])


@pytest.mark.parametrize(
    ("method", "path", "anchor"),
    [
        ("GET", "/orgs/octo-org/packages/npm/nope", "get-a-package-for-an-organization"),
        ("DELETE", "/user/packages/npm/nope", "delete-a-package-for-the-authenticated-user"),
        ("GET", "/orgs/octo-org/packages?package_type=pypi", "list-packages-for-an-organization"),
        (
            "POST",
            "/users/octocat/packages/npm/nope/versions/1/restore",
            "restore-package-version-for-a-user",
        ),
    ],
)
async def test_error_documentation_url_names_the_operations_docs_page(
    gh: FakeGitHub, http: aiohttp.ClientSession, method: str, path: str, anchor: str
) -> None:
    """A refused operation's documentation_url is its own docs page, as GitHub sends it."""
    reply = await call(http, gh.base_url + path, method)
    assert reply.json["documentation_url"] == (
        f"https://docs.github.com/rest/packages/packages#{anchor}"
    )


async def test_slash_in_a_name_is_reachable_only_percent_encoded(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """org/image is served at .../container/org%2Fimage; .../container/org/image is a 404."""
    gh.store.add_package("octocat", "container", "org/image")
    encoded = await call(http, f"{gh.base_url}/users/octocat/packages/container/org%2Fimage")
    plain = await call(http, f"{gh.base_url}/users/octocat/packages/container/org/image")
    assert encoded.status == 200 and encoded.json["name"] == "org/image"
    assert encoded.json["url"].endswith("/packages/container/org%2Fimage")
    assert plain.status == 404


async def test_id_addressed_and_case_insensitive_paths_serve_the_same_package(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """/user/{id}/..., /organizations/{id}/... and OctoCat answer like /users/octocat/..."""
    by_login = await call(http, f"{gh.base_url}/users/octocat/packages/rubygems/octo-name")
    by_id = await call(http, f"{gh.base_url}/user/583231/packages/rubygems/octo-name")
    by_case = await call(http, f"{gh.base_url}/users/OctoCat/packages/rubygems/octo-name")
    org = await call(http, f"{gh.base_url}/organizations/6811672/packages/npm/hello-world-npm")
    assert by_login.json == by_id.json == by_case.json
    assert org.json["owner"]["login"] == "octo-org"


@pytest.mark.parametrize("owner", ["/users/monalisa", "/orgs/octo-org", "/user"])
async def test_docker_conflicts_list_the_flagged_docker_packages(
    gh: FakeGitHub, http: aiohttp.ClientSession, owner: str
) -> None:
    """Each owner scope lists only its docker packages flagged as migration conflicts."""
    gh.store.add_package("octocat", "docker", "old")
    gh.store.mark_docker_conflict("octocat", "docker", "old")
    gh.store.add_package("octocat", "docker", "fine")
    reply = await call(http, f"{gh.base_url}{owner}/docker/conflicts")
    assert reply.status == 200 and len(reply.json) == 1
    assert reply.json[0]["package_type"] == "docker"


@pytest.mark.parametrize(
    "base",
    [
        "/users/octocat/packages/container/hello_docker",
        "/user/packages/container/hello_docker",
        "/orgs/github/packages/container/super-linter",
    ],
)
async def test_every_operation_of_an_owner_scope_answers(
    gh: FakeGitHub, http: aiohttp.ClientSession, base: str
) -> None:
    """List, get, versions, get/delete/restore a version, delete/restore the package all work."""
    if "github" in base:
        gh.store.add_version("github", "container", "super-linter", id=214000)
    versions = (await call(http, f"{gh.base_url}{base}/versions")).json
    vid = versions[-1]["id"]
    listing = base.rsplit("/packages/", 1)[0] + "/packages?package_type=container"
    steps = [
        ("GET", listing, 200),
        ("GET", base, 200),
        ("GET", f"{base}/versions/{vid}", 200),
        ("DELETE", f"{base}/versions/{vid}", 204),
        ("POST", f"{base}/versions/{vid}/restore", 204),
        ("DELETE", base, 204),
        ("POST", f"{base}/restore", 204),
    ]
    for method, path, status in steps:
        assert (await call(http, gh.base_url + path, method)).status == status, (method, path)


async def test_bodies_decode_into_the_sdk_models(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """Packages (with repository), versions (container and docker tags) and /user decode."""
    base = gh.base_url
    packages = msgspec.json.decode(
        (await call(http, f"{base}/users/octocat/packages?package_type=rubygems")).raw,
        type=list[Package],
    )
    assert packages[0].repository is not None and packages[0].version_count == 3
    container = msgspec.json.decode(
        (await call(http, f"{base}/user/packages/container/hello_docker/versions")).raw,
        type=list[PackageVersion],
    )
    assert [v.tags for v in container] == [("latest",), (), ("1.13.6",)]
    docker = msgspec.json.decode(
        (await call(http, f"{base}/users/monalisa/packages/docker/hello_docker/versions")).raw,
        type=list[PackageVersion],
    )
    assert docker[0].tags == ("latest",)
    me = msgspec.json.decode((await call(http, f"{base}/user")).raw, type=SimpleUser)
    assert (me.login, me.id, me.type) == ("octocat", 583231, "User")


# -- tokens and gatekeeping -------------------------------------------------------------------


async def test_user_endpoints_need_a_token(gh: FakeGitHub) -> None:
    """/user and /user/packages without Authorization answer 401 Requires authentication."""
    async with aiohttp.ClientSession() as anonymous:
        me = await call(anonymous, f"{gh.base_url}/user")
        mine = await call(anonymous, f"{gh.base_url}/user/packages?package_type=container")
        delete = await call(anonymous, f"{gh.base_url}/orgs/octo-org/packages/npm/x", "DELETE")
    assert [r.status for r in (me, mine, delete)] == [401, 401, 401]
    assert mine.json["message"] == "Requires authentication"


async def test_anonymous_callers_see_public_packages_only(gh: FakeGitHub) -> None:
    """Without a token private packages are hidden (404), public ones are served."""
    async with aiohttp.ClientSession() as anonymous:
        public = await call(anonymous, f"{gh.base_url}/users/octocat/packages/rubygems/octo-name")
        private = await call(
            anonymous, f"{gh.base_url}/users/monalisa/packages/container/hello_docker"
        )
    assert public.status == 200 and private.status == 404


async def test_listed_tokens_authenticate_and_unknown_ones_are_bad_credentials() -> None:
    """With a token list, a known token is its user and an unknown one is 401 Bad credentials."""
    tokens = {"good": TokenInfo("monalisa")}
    async with FakeGitHub(store=sample_store(), tokens=tokens) as gh, aiohttp.ClientSession() as s:
        good = await call(s, f"{gh.base_url}/user", headers={"Authorization": "token good"})
        bad = await call(s, f"{gh.base_url}/user", headers={"Authorization": "Bearer bad"})
    assert good.json["login"] == "monalisa"
    assert good.headers["X-OAuth-Scopes"] == "read:packages, write:packages, delete:packages, repo"
    assert bad.status == 401 and bad.json["message"] == "Bad credentials"


async def test_require_token_refuses_anonymous_requests() -> None:
    """require_token=True answers 401 to a request without Authorization."""
    async with (
        FakeGitHub(store=sample_store(), require_token=True) as gh,
        aiohttp.ClientSession() as anonymous,
    ):
        reply = await call(anonymous, f"{gh.base_url}/users/octocat/packages/rubygems/octo-name")
    assert reply.status == 401 and reply.json["message"] == "Requires authentication"


@pytest.mark.parametrize(
    ("scopes", "method", "suffix", "missing"),
    [
        ((), "GET", "", "read:packages"),
        (("read:packages",), "DELETE", "", "delete:packages"),
        (("read:packages", "delete:packages"), "POST", "/restore", "write:packages"),
    ],
)
async def test_missing_scope_is_403_naming_it(
    scopes: tuple[str, ...], method: str, suffix: str, missing: str
) -> None:
    """GET needs read:packages, DELETE delete:packages, restore write:packages, else 403."""
    tokens = {"t": TokenInfo("octocat", scopes=scopes)}
    async with FakeGitHub(store=sample_store(), tokens=tokens) as gh, aiohttp.ClientSession() as s:
        url = f"{gh.base_url}/orgs/octo-org/packages/npm/hello-world-npm{suffix}"
        reply = await call(s, url, method, headers={"Authorization": "Bearer t"})
    assert reply.status == 403 and missing in reply.json["message"]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("fine_grained", "Resource not accessible by personal access token"),
        ("app", "Resource not accessible by integration"),
    ],
)
async def test_fine_grained_and_app_tokens_are_refused(kind: Any, message: str) -> None:
    """The Packages API takes only classic tokens: the others get 403."""
    tokens = {"t": TokenInfo("octocat", kind=kind)}
    async with FakeGitHub(store=sample_store(), tokens=tokens) as gh, aiohttp.ClientSession() as s:
        reply = await call(
            s,
            f"{gh.base_url}/users/octocat/packages?package_type=npm",
            headers={"Authorization": "Bearer t"},
        )
    assert reply.status == 403 and reply.json["message"] == message


async def test_missing_user_agent_is_403(gh: FakeGitHub) -> None:
    """A request without User-Agent is rejected with 403, as GitHub does."""
    async with aiohttp.ClientSession(skip_auto_headers=["User-Agent"]) as bare:
        reply = await call(bare, f"{gh.base_url}/users/octocat/packages/rubygems/octo-name")
    assert reply.status == 403 and "User-Agent" in reply.json["message"]
    assert "user-agent" not in gh.requests[-1].headers


async def test_api_version_header_is_checked_and_echoed(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """2026-03-10 is selected when asked; an unknown version is 400 'not supported'."""
    url = f"{gh.base_url}/users/octocat/packages/rubygems/octo-name"
    new = await call(http, url, headers={"X-GitHub-Api-Version": "2026-03-10"})
    old = await call(http, url, headers={"X-GitHub-Api-Version": "2019-01-01"})
    assert new.headers["x-github-api-version-selected"] == "2026-03-10"
    assert old.status == 400 and "not supported" in old.json["message"]


@pytest.mark.parametrize(
    "path", ["/users/octocat/packages/npm/x", "/user/packages?package_type=npm"]
)
async def test_every_answer_carries_githubs_headers(
    gh: FakeGitHub, http: aiohttp.ClientSession, path: str
) -> None:
    """200s and errors alike carry rate-limit, request-id, API-version and JSON content-type headers."""
    reply = await call(http, gh.base_url + path)
    for name in ("limit", "remaining", "used", "reset"):
        assert reply.headers[f"x-ratelimit-{name}"].isdigit()
    assert reply.headers["x-ratelimit-resource"] == "core"
    assert reply.headers["x-github-request-id"]
    assert reply.headers["x-github-api-version-selected"] == "2022-11-28"
    assert reply.headers["content-type"] == "application/json; charset=utf-8"


# -- rate limits and conditional requests --------------------------------------------------


class FakeClock:
    """Epoch seconds that only move when told."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_rate_limit_counts_down_refuses_when_spent_and_resets_after_an_hour(
    http: aiohttp.ClientSession,
) -> None:
    """With rate_limit=3 the fourth request is 403 with remaining 0 until the window ends."""
    clock = FakeClock()
    async with FakeGitHub(store=sample_store(), rate_limit=3, clock=clock) as gh:
        url = f"{gh.base_url}/users/octocat/packages/rubygems/octo-name"
        replies = [await call(http, url) for _ in range(4)]
        clock.now += 3600
        after = await call(http, url)
    assert [r.headers["x-ratelimit-remaining"] for r in replies] == ["2", "1", "0", "0"]
    assert replies[3].status == 403
    assert replies[3].json["message"] == "API rate limit exceeded for user ID 583231."
    assert replies[3].headers["x-ratelimit-reset"] == str(1_700_003_600)
    assert after.status == 200 and after.headers["x-ratelimit-remaining"] == "2"


async def test_anonymous_callers_get_60_requests_and_unlimited_still_sends_headers() -> None:
    """Anonymous requests count against 60; rate_limit=None reports large numbers but never refuses."""
    async with aiohttp.ClientSession() as anonymous:
        async with FakeGitHub(store=sample_store()) as gh:
            limited = await call(
                anonymous, f"{gh.base_url}/users/octocat/packages/rubygems/octo-name"
            )
        async with FakeGitHub(store=sample_store(), rate_limit=None) as gh:
            free = await call(anonymous, f"{gh.base_url}/rate_limit")
    assert limited.headers["x-ratelimit-limit"] == "60"
    assert int(free.headers["x-ratelimit-limit"]) >= 1_000_000
    assert free.json["resources"]["core"]["used"] == 0


async def test_matching_if_none_match_is_a_304_that_keeps_etag_and_link_and_costs_nothing(
    http: aiohttp.ClientSession,
) -> None:
    """A repeated GET with its ETag answers 304 without body and leaves remaining unchanged."""
    async with FakeGitHub(store=_paged_store(3)) as gh:
        url = f"{gh.base_url}/users/pager/packages?package_type=container&per_page=2"
        first = await call(http, url)
        etag = first.headers["ETag"]
        again = await call(http, url, headers={"If-None-Match": etag})
        changed = await call(http, url, headers={"If-None-Match": 'W/"other"'})
    assert etag.startswith('W/"') and etag.endswith('"')
    assert again.status == 304 and again.raw == b""
    assert again.headers["ETag"] == etag and again.headers["Link"] == first.headers["Link"]
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    remaining = int(first.headers["x-ratelimit-remaining"])
    assert changed.status == 200 and int(changed.headers["x-ratelimit-remaining"]) == remaining - 1


# -- faults and recording ------------------------------------------------------------------------


async def test_respond_fault_answers_n_times_then_the_real_handler_runs(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """fail_next(503, times=2) gives two GitHub-style 503s, then the real answer; all recorded."""
    gh.fail_next(503, times=2)
    url = f"{gh.base_url}/users/octocat/packages/rubygems/octo-name"
    replies = [await call(http, url) for _ in range(3)]
    assert [r.status for r in replies] == [503, 503, 200]
    assert replies[0].json == {
        "message": "Service Unavailable",
        "documentation_url": "https://docs.github.com/rest",
        "status": "503",
    }
    assert replies[0].headers["x-github-request-id"] and len(gh.requests) == 3


async def test_fault_matches_by_query_page_with_page_1_as_default(
    http: aiohttp.ClientSession,
) -> None:
    """query={'page': '3'} hits only page 3; {'page': '1'} also hits a request without page."""
    async with FakeGitHub(store=_paged_store(10)) as gh:
        gh.add_fault(Fault(status=502, query={"page": "3"}))
        gh.add_fault(Fault(status=500, query={"page": "1"}))
        url = f"{gh.base_url}/users/pager/packages?package_type=container&per_page=2"
        statuses = [(await call(http, f"{url}&page={n}")).status for n in (2, 3, 3)]
        first = await call(http, url)
    assert statuses == [200, 502, 200] and first.status == 500


async def test_fault_matches_by_method_and_path_regex_or_decoded_path(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """method, an exact decoded path and a ^regex all narrow which requests a fault hits."""
    gh.add_fault(Fault(status=418, method="DELETE"))
    gh.add_fault(Fault(status=409, path="/users/octocat/packages/container/org/image"))
    gh.add_fault(Fault(status=451, path=r"^/orgs/[^/]+/packages$"))
    base = gh.base_url
    got = await call(http, f"{base}/users/octocat/packages/rubygems/octo-name")
    named = await call(http, f"{base}/users/octocat/packages/container/org%2Fimage")
    regex = await call(http, f"{base}/orgs/octo-org/packages?package_type=npm")
    delete = await call(http, f"{base}/orgs/octo-org/packages/npm/hello-world-npm", "DELETE")
    assert [r.status for r in (got, named, regex, delete)] == [200, 409, 451, 418]


async def test_fault_headers_and_body_override_the_defaults(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """A fault's own headers win over GitHub's; bytes are sent as given, objects as JSON."""
    gh.add_fault(
        Fault(status=403, body={"message": "spent"}, headers={"x-ratelimit-remaining": "0"})
    )
    gh.add_fault(
        Fault(status=502, body=b"<html>bad gateway</html>", headers={"Content-Type": "text/html"})
    )
    url = f"{gh.base_url}/users/octocat/packages/rubygems/octo-name"
    limited, html = await call(http, url), await call(http, url)
    assert limited.json == {"message": "spent"} and limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["x-ratelimit-limit"] == "5000"
    assert html.raw == b"<html>bad gateway</html>" and html.headers["content-type"] == "text/html"


async def test_drop_fault_closes_the_connection_without_an_answer(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """A dropped request raises ServerDisconnectedError and its handler never runs."""
    # POST: aiohttp itself resends an idempotent request once after a disconnect.
    base = f"{gh.base_url}/user/packages/container/hello_docker/versions/881"
    await call(http, base, "DELETE")
    gh.add_fault(Fault(kind="drop"))
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, f"{base}/restore", "POST")
    assert gh.store.get_version("octocat", "container", "hello_docker", 881).state == "deleted"


async def test_truncate_fault_cuts_the_body_short_after_the_handler_ran(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """A truncated GET raises ClientPayloadError; a truncated restore still restored."""
    gh.add_fault(Fault(kind="truncate", method="GET"))
    with pytest.raises(aiohttp.ClientPayloadError):
        await call(http, f"{gh.base_url}/users/octocat/packages/rubygems/octo-name")
    base = f"{gh.base_url}/user/packages/container/hello_docker/versions/881"
    await call(http, base, "DELETE")
    gh.add_fault(Fault(kind="truncate", method="POST"))
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, f"{base}/restore", "POST")
    assert gh.store.get_version("octocat", "container", "hello_docker", 881).state == "active"


async def test_stall_fault_outlasts_a_client_timeout_and_a_short_one_answers(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """A 30 s stall trips a 0.2 s client timeout; a 0.05 s stall then answers normally."""
    url = f"{gh.base_url}/users/octocat/packages/rubygems/octo-name"
    gh.add_fault(Fault(kind="stall", delay_s=30))
    with pytest.raises(asyncio.TimeoutError):
        await call(http, url, timeout=aiohttp.ClientTimeout(total=0.2))
    gh.add_fault(Fault(kind="stall", delay_s=0.05))
    assert (await call(http, url)).status == 200


async def test_hold_fault_applies_the_change_and_withholds_the_answer(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """A held DELETE has deleted the version while its client is still waiting for the 204."""
    url = f"{gh.base_url}/user/packages/container/hello_docker/versions/881"
    gh.add_fault(Fault(kind="hold", delay_s=30, method="DELETE"))
    pending = asyncio.create_task(call(http, url, "DELETE"))
    version = gh.store.get_version("octocat", "container", "hello_docker", 881)
    for _ in range(500):
        if version.state == "deleted":
            break
        await asyncio.sleep(0.01)
    assert version.state == "deleted" and not pending.done()
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending


async def test_requests_are_recorded_with_raw_path_query_and_lowercase_headers(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """Each request is recorded in order: method, raw path, query, lower-cased headers, URL."""
    url = f"{gh.base_url}/users/octocat/packages/container/org%2Fimage/versions?state=deleted"
    await call(http, url, headers={"X-Trace-Id": "Abc"})
    gh.fail_next(500)
    await call(http, f"{gh.base_url}/user", "GET")
    first, second = gh.requests
    assert isinstance(first, RecordedRequest)
    assert first.method == "GET" and first.url == url
    assert first.path == "/users/octocat/packages/container/org%2Fimage/versions"
    assert first.query == {"state": "deleted"}
    assert (
        first.headers["x-trace-id"] == "Abc"
        and first.headers["authorization"] == AUTH["Authorization"]
    )
    assert second.path == "/user"
    gh.clear_requests()
    assert gh.requests == []


async def test_latency_delays_answers_and_in_flight_peak_is_tracked(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """With latency_s set, concurrent requests overlap and max_in_flight reports the peak."""
    gh.latency_s = 0.05
    url = f"{gh.base_url}/users/octocat/packages/rubygems/octo-name"
    replies = await asyncio.gather(*(call(http, url) for _ in range(3)))
    assert [r.status for r in replies] == [200] * 3 and gh.max_in_flight == 3


# -- runners and seed data ---------------------------------------------------------------------


def _get_json(url: str, token: str = "t") -> Any:
    request = urllib.request.Request(
        url, headers={"User-Agent": "tests", "Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def test_thread_variant_serves_sync_code_and_is_scriptable_from_this_thread() -> None:
    """FakeGitHub.in_thread answers blocking urllib calls; faults and requests work across threads."""
    with FakeGitHub.in_thread(store=sample_store()) as gh:
        url = f"{gh.base_url}/users/octocat/packages/rubygems/octo-name"
        assert _get_json(url)["id"] == 40201
        gh.fail_next(404, body={"message": "scripted"})
        with pytest.raises(urllib.error.HTTPError) as info:
            _get_json(url)
        info.value.close()
        assert info.value.code == 404 and len(gh.requests) == 2


def test_fake_github_fixture_is_a_running_sample_server(fake_github: FakeGitHub) -> None:
    """The pytest plugin's fake_github fixture serves the sample data."""
    versions = _get_json(
        f"{fake_github.base_url}/orgs/octo-org/packages/npm/hello-world-npm/versions"
    )
    assert [v["name"] for v in versions] == ["1.0.4", "1.0.3"]


async def test_fake_github_fixture_works_from_an_async_test(fake_github: FakeGitHub) -> None:
    """The thread-backed fixture is usable from the test's own event loop."""
    async with aiohttp.ClientSession(headers=AUTH) as session:
        reply = await call(
            session, f"{fake_github.base_url}/users/monalisa/packages?package_type=container"
        )
    assert [p["id"] for p in reply.json] == [197, 198]


def test_module_runs_standalone_prints_its_url_and_exits_cleanly_on_sigint() -> None:
    """python -m aiogh_packages.testing prints its URL, answers, and exits 0 on SIGINT."""
    command = [sys.executable, "-m", "aiogh_packages.testing", "--port", "0"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            prefix = "aiogh_packages fake GitHub listening on http://127.0.0.1:"
            assert line.startswith(prefix), line
            url = line.split()[-1]
            assert (
                _get_json(f"{url}/users/octocat/packages/rubygems/octo-name")["name"] == "octo-name"
            )
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0 and "Traceback" not in err


def test_demo_store_is_deterministic_and_spans_several_pages() -> None:
    """demo_store(0) is the same twice, has 40 owners, two with >250 packages, web-app with 300."""
    one, two = demo_store(seed=0), demo_store(seed=0)
    names = [(v.id, v.name, v.tags) for v in one.versions("acme-corp", "container", "web-app")]
    assert names == [
        (v.id, v.name, v.tags) for v in two.versions("acme-corp", "container", "web-app")
    ]
    assert len(names) == 300 and sum(bool(tags) for *_, tags in names) < 300
    assert len(one.packages("hooli")) > 250 and len(one.packages("hubot")) > 250
    assert one.first_user() is not None and one.first_user().login == "mona"  # type: ignore[union-attr]


def test_store_rejects_bad_input_and_reports_states() -> None:
    """Store validates types, visibilities and duplicate ids, and exposes version states."""
    store = Store()
    store.add_user("mona", id=7)
    with pytest.raises(ValueError, match="pypi"):
        store.add_package("mona", "pypi", "x")
    with pytest.raises(ValueError, match="secret"):
        store.add_package("mona", "npm", "x", visibility="secret")
    with pytest.raises(ValueError, match="7"):
        store.add_org("octo", id=7)
    store.add_package("mona", "npm", "lib")
    first, second = store.add_version("mona", "npm", "lib"), store.add_version("mona", "npm", "lib")
    store.delete_version("mona", "npm", "lib", first.id)
    assert store.get_version("mona", "npm", "lib", first.id).state == "deleted"
    assert [v.id for v in store.versions("mona", "npm", "lib")] == [second.id]
    assert [v.id for v in store.versions("mona", "npm", "lib", state="deleted")] == [first.id]


def test_naive_timestamps_are_taken_as_utc() -> None:
    """A naive created_at is stored as UTC and sorts among aware ones."""
    store = Store()
    store.add_user("mona")
    store.add_package("mona", "npm", "lib")
    store.add_version("mona", "npm", "lib", "1.0.0", created_at=datetime(2024, 1, 1))
    store.add_version(
        "mona", "npm", "lib", "2.0.0", created_at=datetime(2025, 1, 1, tzinfo=timezone.utc)
    )
    newest, oldest = store.versions("mona", "npm", "lib")
    assert (newest.name, oldest.name) == ("2.0.0", "1.0.0")
    assert oldest.created_at == datetime(2024, 1, 1, tzinfo=timezone.utc)


async def test_head_answers_like_get_without_a_body(
    gh: FakeGitHub, http: aiohttp.ClientSession
) -> None:
    """HEAD gets GET's status, ETag and rate-limit headers but no body."""
    url = f"{gh.base_url}/users/octocat/packages/rubygems/octo-name"
    head, get = await call(http, url, "HEAD"), await call(http, url)
    assert head.status == 200 and head.raw == b"" and head.headers["ETag"] == get.headers["ETag"]


def test_store_lists_owners_by_kind_in_the_order_added() -> None:
    """Store.owners() gives every owner, or only users or organizations, in insertion order."""
    store = Store()
    store.add_user("b-user")
    store.add_org("an-org")
    store.add_user("a-user")
    assert [o.login for o in store.owners()] == ["b-user", "an-org", "a-user"]
    assert [o.login for o in store.owners("User")] == ["b-user", "a-user"]
    assert [o.login for o in store.owners("Organization")] == ["an-org"]
