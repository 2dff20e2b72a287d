"""RegistryClient against the fake registry over loopback: token flow, retries, redirects, cache."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from conftest import TOKEN, FakeTime

from aiogh_packages import (
    AuthError,
    NotFoundError,
    Owner,
    PackagesClient,
    RateLimitError,
    RegistryClient,
    UnsafeURLError,
)
from aiogh_packages._sansio.images import Unreadable
from aiogh_packages._sansio.registry_wire import ImageIndex, ImageManifest
from aiogh_packages.testing import (
    FakeGitHub,
    MultiArchImage,
    Store,
    TokenInfo,
    add_multiarch_image,
    sample_store,
)

OWNER = "Acme"


def _store() -> tuple[Store, MultiArchImage]:
    store = sample_store()
    store.add_org(OWNER)
    return store, add_multiarch_image(store, OWNER, "tools/web-app", tags=("v1",), signature=True)


@pytest.fixture
async def reg_server(fake_time: FakeTime) -> AsyncIterator[tuple[FakeGitHub, MultiArchImage]]:
    """A fake GitHub (on the fake clock) holding one signed multi-arch image of acme."""
    store, image = _store()
    async with FakeGitHub(store=store, clock=fake_time) as gh:
        yield gh, image


def _client(gh: FakeGitHub, time: FakeTime, **options: object) -> RegistryClient:
    return RegistryClient(
        token=TOKEN,
        registry_url=gh.registry_url,
        backoff_base_s=0,
        sleep=time.sleep,
        clock=time,
        **options,  # type: ignore[arg-type]
    )


def _path(digest: str) -> str:
    return f"/v2/acme/tools/web-app/manifests/{digest}"


async def test_first_read_answers_the_challenge_with_the_github_token_as_basic_password(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """A 401 challenge is answered at the realm with Basic auth, then the read succeeds."""
    gh, image = reg_server
    async with _client(gh, fake_time) as reg:
        manifest = await reg.get_manifest(OWNER, "tools/web-app", image.index)
    assert isinstance(manifest, ImageIndex)
    assert len(manifest.manifests) == 3
    token_calls = [r for r in gh.requests if r.path == "/token"]
    assert len(token_calls) == 1
    assert token_calls[0].headers["authorization"].startswith("Basic ")


async def test_github_token_never_reaches_v2_and_bearer_never_leaves_the_registry(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """Manifest reads carry only the registry's bearer token, never the GitHub token."""
    gh, image = reg_server
    async with _client(gh, fake_time) as reg:
        await reg.get_manifests(OWNER, "tools/web-app", image.all)
    for request in gh.requests:
        auth = request.headers.get("authorization", "")
        if request.path.startswith("/v2/"):
            assert TOKEN not in auth and "Basic" not in auth
        else:
            assert "rgt_" not in auth


async def test_concurrent_first_reads_exchange_the_token_once(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """Reads challenged together share one token exchange."""
    gh, image = reg_server
    async with _client(gh, fake_time) as reg:
        await reg.get_manifests(OWNER, "tools/web-app", image.all)
    assert gh.registry.token_requests == 1


async def test_expired_token_is_exchanged_again(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """After ``expires_in`` passes, the next read gets a new token."""
    gh, image = reg_server
    async with _client(gh, fake_time) as reg:
        await reg.get_manifest(OWNER, "tools/web-app", image.index)
        fake_time.now += gh.registry.token_ttl_s + 1
        await reg.get_manifest(OWNER, "tools/web-app", image.platforms[0])
    assert gh.registry.token_requests == 2


async def test_token_refused_by_the_registry_is_rechallenged(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """A cached token the registry no longer accepts (401) leads to a new exchange and success."""
    gh, image = reg_server
    async with _client(gh, fake_time) as reg:
        await reg.get_manifest(OWNER, "tools/web-app", image.index)
        gh.registry.expire_tokens()
        manifest = await reg.get_manifest(OWNER, "tools/web-app", image.platforms[0])
    assert isinstance(manifest, ImageManifest)
    assert gh.registry.token_requests == 2


async def test_unknown_github_token_raises_auth_error_without_the_token(
    fake_time: FakeTime,
) -> None:
    """A token the realm refuses raises AuthError whose text does not contain the token."""
    store, image = _store()
    tokens = {"ghp_other": TokenInfo(login="octocat")}
    async with FakeGitHub(store=store, tokens=tokens) as gh, _client(gh, fake_time) as reg:
        with pytest.raises(AuthError) as caught:
            await reg.get_manifest(OWNER, "tools/web-app", image.index)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert TOKEN not in repr(reg)


async def test_realm_on_another_origin_is_refused(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """A challenge whose realm is on another origin raises UnsafeURLError; the token stays home."""
    gh, image = reg_server
    challenge = 'Bearer realm="http://127.0.0.1:9/token",service="x"'
    gh.fail_next(401, headers={"WWW-Authenticate": challenge}, path=_path(image.index))
    async with _client(gh, fake_time) as reg:
        with pytest.raises(UnsafeURLError, match="token realm"):
            await reg.get_manifest(OWNER, "tools/web-app", image.index)


async def test_429_waits_retry_after_then_succeeds(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """A 429 with Retry-After is waited out, then the read is sent again."""
    gh, image = reg_server
    async with _client(gh, fake_time) as reg:
        await reg.get_manifest(OWNER, "tools/web-app", image.index)
        gh.fail_next(429, headers={"Retry-After": "7"}, path=_path(image.platforms[0]))
        await reg.get_manifest(OWNER, "tools/web-app", image.platforms[0])
    assert 7.0 in fake_time.sleeps


async def test_429_longer_than_max_wait_raises_rate_limit_error(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """A Retry-After beyond max_wait_s raises RateLimitError instead of waiting."""
    gh, image = reg_server
    gh.fail_next(429, headers={"Retry-After": "999"}, path=_path(image.index))
    async with _client(gh, fake_time, max_wait_s=10) as reg:
        with pytest.raises(RateLimitError):
            await reg.get_manifest(OWNER, "tools/web-app", image.index)


async def test_5xx_is_retried_until_success(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """Two 503s and then the manifest: three sends, one result."""
    gh, image = reg_server
    gh.fail_next(503, times=2, path=_path(image.index))
    async with _client(gh, fake_time) as reg:
        await reg.get_manifest(OWNER, "tools/web-app", image.index)
    gets = [r for r in gh.requests if r.path == _path(image.index)]
    assert len(gets) == 4  # 2 x 503, the 401 challenge, the answer


async def test_redirect_to_a_blob_host_gets_no_authorization(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """A redirect to another origin is followed without any Authorization header."""
    gh, image = reg_server
    body = gh.store.manifests[("acme", "tools/web-app", image.platforms[0])][1]
    seen: list[dict[str, str]] = []

    async def blob(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.Response(body=body, content_type="application/vnd.oci.image.manifest.v1+json")

    app = web.Application()
    app.router.add_get("/blob", blob)
    async with TestServer(app, host="127.0.0.1") as blob_host, _client(gh, fake_time) as reg:
        await reg.get_manifest(OWNER, "tools/web-app", image.index)
        location = str(blob_host.make_url("/blob"))
        gh.fail_next(307, headers={"Location": location}, path=_path(image.platforms[0]))
        manifest = await reg.get_manifest(OWNER, "tools/web-app", image.platforms[0])
    assert isinstance(manifest, ImageManifest)
    assert len(seen) == 1 and "Authorization" not in seen[0]
    redirected = [r for r in gh.requests if r.path == _path(image.platforms[0])]
    assert redirected[0].headers["authorization"].startswith("Bearer ")


async def test_same_digest_is_read_once(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """A digest read before comes from memory: the registry counts one download."""
    gh, image = reg_server
    async with _client(gh, fake_time) as reg:
        await reg.get_manifest(OWNER, "tools/web-app", image.index)
        await reg.get_manifest(OWNER, "tools/web-app", image.index)
    assert gh.registry.manifest_reads == 1


async def test_disk_cache_spares_every_read_of_a_second_run(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime, tmp_path: Path
) -> None:
    """With manifest_cache_dir, a second client reads no manifest from the registry."""
    gh, image = reg_server
    async with _client(gh, fake_time, manifest_cache_dir=tmp_path) as reg:
        first = await reg.get_manifests(OWNER, "tools/web-app", image.all)
    reads = gh.registry.manifest_reads
    async with _client(gh, fake_time, manifest_cache_dir=tmp_path) as again:
        second = await again.get_manifests(OWNER, "tools/web-app", image.all)
    assert gh.registry.manifest_reads == reads == len(image.all)
    assert second == first and again.manifest_reads == 0


async def test_missing_manifest_raises_not_found_and_is_unreadable_in_bulk(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """A 404 raises NotFoundError; get_manifests reports it as a missing Unreadable."""
    gh, _ = reg_server
    gone = "sha256:" + "0" * 64
    async with _client(gh, fake_time) as reg:
        with pytest.raises(NotFoundError):
            await reg.get_manifest(OWNER, "tools/web-app", gone)
        result = await reg.get_manifests(OWNER, "tools/web-app", [gone])
    assert isinstance(result[gone], Unreadable) and result[gone].missing


async def test_manifest_reads_stay_within_max_concurrency(fake_time: FakeTime) -> None:
    """No more than max_concurrency manifest reads are in flight at once."""
    store, image = _store()
    async with (
        FakeGitHub(store=store, latency_s=0.02) as gh,
        _client(gh, fake_time, max_concurrency=2) as reg,
    ):
        await reg.get_manifests(OWNER, "tools/web-app", image.all)
    assert gh.max_in_flight <= 2


async def test_bad_names_raise_value_error_before_any_request(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """An invalid package name or digest raises ValueError and sends nothing."""
    gh, _ = reg_server
    async with _client(gh, fake_time) as reg:
        with pytest.raises(ValueError, match="registry repository name"):
            await reg.get_manifest(OWNER, "Web App", "sha256:" + "0" * 64)
        with pytest.raises(ValueError, match="neither a digest"):
            await reg.get_manifests(OWNER, "web-app", ["../etc"])
    assert gh.requests == []


async def test_for_api_uses_ghcr_for_github_com() -> None:
    """RegistryClient.for_api picks ghcr.io for api.github.com."""
    async with RegistryClient.for_api("https://api.github.com", token=None) as reg:
        assert reg.registry_url == "https://ghcr.io"


async def test_manifest_not_hashing_to_its_digest_is_unreadable(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """A body whose sha256 is not the digest asked for is reported unreadable (fail closed)."""
    gh, image = reg_server
    key = ("acme", "tools/web-app", image.platforms[0])
    media_type, _ = gh.store.manifests[key]
    gh.store.manifests[key] = (media_type, b'{"mediaType":"%s"}' % media_type.encode())
    async with _client(gh, fake_time) as reg:
        result = await reg.get_manifests(OWNER, "tools/web-app", [image.platforms[0]])
    problem = result[image.platforms[0]]
    assert isinstance(problem, Unreadable) and not problem.missing
    assert "does not hash to" in problem.reason


async def test_retries_are_logged_without_the_token(
    reg_server: tuple[FakeGitHub, MultiArchImage],
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A retried read is logged with its URL, and neither token shows in the log."""
    gh, image = reg_server
    gh.fail_next(503, path=_path(image.index))
    caplog.set_level("DEBUG", logger="aiogh_packages")
    async with _client(gh, fake_time) as reg:
        await reg.get_manifest(OWNER, "tools/web-app", image.index)
    assert "retrying GET" in caplog.text
    assert TOKEN not in caplog.text and "rgt_" not in caplog.text


async def test_api_client_and_registry_client_keep_their_tokens_apart(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """API requests carry only the GitHub token; registry reads only the bearer token."""
    gh, image = reg_server
    async with (
        PackagesClient(token=TOKEN, base_url=gh.base_url) as api,
        _client(gh, fake_time) as reg,
    ):
        await reg.get_manifests(OWNER, "tools/web-app", image.all)
        [v async for v in api.iter_package_versions(Owner.org(OWNER), "container", "tools/web-app")]
    api_calls = [r for r in gh.requests if r.path.startswith("/orgs/")]
    assert api_calls and all("rgt_" not in r.headers.get("authorization", "") for r in api_calls)
    reads = [r for r in gh.requests if r.path.startswith("/v2/") and "authorization" in r.headers]
    assert reads and all(r.headers["authorization"].startswith("Bearer rgt_") for r in reads)


def test_packages_client_registry_url_defaults_to_ghcr_for_github_com() -> None:
    """PackagesClient on api.github.com reads the registry at ghcr.io unless told otherwise."""
    assert PackagesClient(TOKEN, base_url="https://api.github.com").registry_url == (
        "https://ghcr.io"
    )
    ghes = PackagesClient(TOKEN, base_url="https://git.example/api/v3")
    assert ghes.registry_url == "https://containers.git.example"
    own = PackagesClient(TOKEN, base_url="https://api.github.com", registry_url="http://r:1/")
    assert own.registry_url == "http://r:1"


def test_packages_client_refuses_a_registry_url_with_userinfo_without_the_password() -> None:
    """A registry_url carrying user:password@ raises ValueError that omits the password."""
    with pytest.raises(ValueError, match="registry_url") as caught:
        PackagesClient(TOKEN, registry_url="https://bob:hunter2@ghcr.example")
    assert "hunter2" not in str(caught.value)


async def test_packages_client_registry_reads_manifests_with_its_token(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """registry() gives one RegistryClient that exchanges the API client's token at the realm."""
    gh, image = reg_server
    async with PackagesClient(TOKEN, base_url=gh.base_url, sleep=fake_time.sleep) as api:
        reg = api.registry()
        assert api.registry() is reg and reg.registry_url == gh.registry_url
        manifest = await reg.get_manifest(OWNER, "tools/web-app", image.index)
    assert isinstance(manifest, ImageIndex)
    token_calls = [r for r in gh.requests if r.path == "/token"]
    assert [r.headers["authorization"].startswith("Basic ") for r in token_calls] == [True]


async def test_packages_client_aclose_closes_the_registry_clients_own_session(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """The registry client's own session is closed by the API client's aclose."""
    gh, image = reg_server
    api = PackagesClient(TOKEN, base_url=gh.base_url, sleep=fake_time.sleep)
    reg = api.registry()
    await reg.get_manifest(OWNER, "tools/web-app", image.index)
    session = reg._http._session
    await api.aclose()
    assert session is not None and session.closed


async def test_packages_client_registry_borrows_the_clients_session_and_leaves_it_open(
    reg_server: tuple[FakeGitHub, MultiArchImage], fake_time: FakeTime
) -> None:
    """With a borrowed session, registry reads go through it and it stays open after aclose."""
    gh, image = reg_server
    async with aiohttp.ClientSession() as session:
        async with PackagesClient(TOKEN, base_url=gh.base_url, session=session) as api:
            await api.registry().get_manifest(OWNER, "tools/web-app", image.index)
            assert api.registry()._http._session is session
        assert not session.closed
