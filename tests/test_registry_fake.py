"""The fake registry spoken to with plain aiohttp: challenge, token realm, PUT, 405, counting."""

from __future__ import annotations

import base64
import hashlib
import json

import aiohttp

from aiogh_packages.testing import FakeGitHub, Store, add_multiarch_image

TOKEN = "ghp_fakeRegistryTEST_4410"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _store() -> Store:
    store = Store()
    store.add_org("acme")
    add_multiarch_image(store, "acme", "web-app", tags=("v1", "latest"))
    return store


def _basic() -> str:
    return "Basic " + base64.b64encode(f"x:{TOKEN}".encode()).decode()


async def _get(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str]]:
    async with session.get(url, headers=headers) as resp:
        return resp.status, dict(resp.headers)


async def _bearer(session: aiohttp.ClientSession, gh: FakeGitHub) -> str:
    async with session.get(
        f"{gh.registry_url}/token",
        params={"scope": "repository:acme/web-app:pull,push", "service": "fake"},
        headers={"Authorization": _basic()},
    ) as resp:
        assert resp.status == 200
        return str((await resp.json())["token"])


async def test_unauthenticated_manifest_read_gets_a_bearer_challenge() -> None:
    """A read without a token is 401 with a Bearer realm on the fake itself."""
    async with FakeGitHub(store=_store()) as gh, aiohttp.ClientSession() as session:
        status, headers = await _get(session, f"{gh.registry_url}/v2/acme/web-app/manifests/v1")
    assert status == 401
    challenge = headers["WWW-Authenticate"]
    assert challenge.startswith(f'Bearer realm="{gh.registry_url}/token"')
    assert 'scope="repository:acme/web-app:pull"' in challenge


async def test_tag_read_serves_the_manifest_whose_hash_is_its_digest() -> None:
    """With a bearer token, a tag resolves to its version's manifest, counted as a read."""
    async with FakeGitHub(store=_store()) as gh, aiohttp.ClientSession() as session:
        bearer = await _bearer(session, gh)
        async with session.get(
            f"{gh.registry_url}/v2/acme/web-app/manifests/latest",
            headers={"Authorization": f"Bearer {bearer}"},
        ) as resp:
            body = await resp.read()
            digest = resp.headers["Docker-Content-Digest"]
    assert digest == "sha256:" + hashlib.sha256(body).hexdigest()
    assert gh.registry.manifest_reads == 1


async def test_put_under_a_tag_moves_the_tag_to_a_new_version() -> None:
    """A manifest PUT under a tag adds its version and moves the tag off the old one."""
    store = _store()
    async with FakeGitHub(store=store) as gh, aiohttp.ClientSession() as session:
        bearer = await _bearer(session, gh)
        body = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": []}).encode()
        async with session.put(
            f"{gh.registry_url}/v2/acme/web-app/manifests/latest",
            data=body,
            headers={"Authorization": f"Bearer {bearer}", "Content-Type": OCI_MANIFEST},
        ) as resp:
            assert resp.status == 201
            digest = resp.headers["Docker-Content-Digest"]
    tags = {v.name: v.tags for v in store.versions("acme", "container", "web-app")}
    assert tags[digest] == ("latest",)
    assert sum("latest" in t for t in tags.values()) == 1
    assert any(t == ("v1",) for t in tags.values())


async def test_tag_delete_is_405() -> None:
    """GHCR cannot delete a tag through the registry: DELETE answers 405."""
    async with FakeGitHub(store=_store()) as gh, aiohttp.ClientSession() as session:
        bearer = await _bearer(session, gh)
        async with session.delete(
            f"{gh.registry_url}/v2/acme/web-app/manifests/v1",
            headers={"Authorization": f"Bearer {bearer}"},
        ) as resp:
            assert resp.status == 405


async def test_realm_refuses_an_unknown_github_token() -> None:
    """The realm answers 401 to a GitHub token the fake does not know."""
    from aiogh_packages.testing import TokenInfo

    tokens = {"ghp_someone_else": TokenInfo(login="mona")}
    async with FakeGitHub(store=_store(), tokens=tokens) as gh, aiohttp.ClientSession() as session:
        status, _ = await _get(
            session,
            f"{gh.registry_url}/token?scope=repository:acme/web-app:pull",
            headers={"Authorization": _basic()},
        )
    assert status == 401


async def test_put_of_a_manifest_whose_config_blob_is_not_pushed_is_refused() -> None:
    """A registry refuses a manifest that references a blob it lacks: 400 MANIFEST_BLOB_UNKNOWN."""
    empty = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    config = {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2}
    document = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": []}
    store = _store()
    async with FakeGitHub(store=store) as gh, aiohttp.ClientSession() as session:
        bearer = await _bearer(session, gh)
        async with session.put(
            f"{gh.registry_url}/v2/acme/web-app/manifests/latest",
            data=json.dumps(document).encode(),
            headers={"Authorization": f"Bearer {bearer}", "Content-Type": OCI_MANIFEST},
        ) as resp:
            assert resp.status == 400
            assert (await resp.json())["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"
    tags = [v.tags for v in store.versions("acme", "container", "web-app")]
    assert ("v1", "latest") in tags  # nothing moved
