"""Each of the 27 Packages operations, end to end against the fake GitHub."""

from __future__ import annotations

import pytest

from aiogh_packages import NotFoundError, Owner, PackagesClient
from aiogh_packages.testing import FakeGitHub, Store


@pytest.fixture
def store() -> Store:
    """One user, one org, each with a container package of three versions and a docker conflict."""
    store = Store()
    store.add_user("mona", id=101)
    store.add_org("octo-org", id=202)
    for owner in ("mona", "octo-org"):
        store.add_package(owner, "container", "app", visibility="public")
        for i in range(3):
            store.add_version(owner, "container", "app", name=f"sha256:{owner}{i}", tags=(f"v{i}",))
        store.add_package(owner, "docker", "legacy", visibility="private")
        store.add_version(owner, "docker", "legacy", name="sha256:d", tags=("old",))
        store.mark_docker_conflict(owner, "docker", "legacy")
    return store


@pytest.fixture
async def gh(store: Store) -> PackagesClient:  # type: ignore[misc]
    """A client authenticated as mona on a fresh fake server."""
    async with (
        FakeGitHub(store=store) as server,
        PackagesClient(
            "tok",
            base_url=server.base_url,
            backoff_base=0,
            points_per_minute=None,
            write_interval=0,
        ) as client,
    ):
        client.server = server  # type: ignore[attr-defined]
        yield client


SCOPES = [("user", ("mona",)), ("org", ("octo-org",)), ("authenticated_user", ())]


@pytest.mark.parametrize(("scope", "owner"), SCOPES)
async def test_list_get_packages(gh: PackagesClient, scope: str, owner: tuple[str, ...]) -> None:
    """iter_*_packages and get_*_package return the owner's package."""
    listed = [p async for p in getattr(gh, f"iter_{scope}_packages")(*owner, "container")]
    assert [p.name for p in listed] == ["app"]
    pkg = await getattr(gh, f"get_{scope}_package")(*owner, "container", "app")
    assert (pkg.name, pkg.package_type, pkg.version_count) == ("app", "container", 3)


@pytest.mark.parametrize(("scope", "owner"), SCOPES)
async def test_delete_and_restore_package(
    gh: PackagesClient, scope: str, owner: tuple[str, ...]
) -> None:
    """delete_*_package hides the package; restore_*_package (with a token) brings it back."""
    await getattr(gh, f"delete_{scope}_package")(*owner, "container", "app")
    with pytest.raises(NotFoundError):
        await getattr(gh, f"get_{scope}_package")(*owner, "container", "app")
    await getattr(gh, f"restore_{scope}_package")(*owner, "container", "app", token="pkgtok")
    assert (await getattr(gh, f"get_{scope}_package")(*owner, "container", "app")).name == "app"
    server: FakeGitHub = gh.server  # type: ignore[attr-defined]
    restore = [r for r in server.requests if r.method == "POST"][-1]
    assert restore.path.endswith("/container/app/restore") and restore.query == {"token": "pkgtok"}


@pytest.mark.parametrize(("scope", "owner"), SCOPES)
async def test_versions_get_delete_restore(
    gh: PackagesClient, scope: str, owner: tuple[str, ...]
) -> None:
    """Versions list newest first; a deleted version moves to state=deleted and back on restore."""
    iter_versions = getattr(gh, f"iter_{scope}_package_versions")
    versions = [v async for v in iter_versions(*owner, "container", "app")]
    assert [v.tags for v in versions] == [("v2",), ("v1",), ("v0",)]
    target = versions[1]
    got = await getattr(gh, f"get_{scope}_package_version")(*owner, "container", "app", target.id)
    assert got.id == target.id and got.name == target.name
    await getattr(gh, f"delete_{scope}_package_version")(*owner, "container", "app", target.id)
    active = [v.id async for v in iter_versions(*owner, "container", "app")]
    assert target.id not in active
    if scope != "user":
        deleted = [v async for v in iter_versions(*owner, "container", "app", state="deleted")]
        assert [v.id for v in deleted] == [target.id] and deleted[0].deleted_at is not None
    await getattr(gh, f"restore_{scope}_package_version")(*owner, "container", "app", target.id)
    assert [v.id async for v in iter_versions(*owner, "container", "app")] == [
        v.id for v in versions
    ]


@pytest.mark.parametrize(("scope", "owner"), SCOPES)
async def test_docker_migration_conflicts(
    gh: PackagesClient, scope: str, owner: tuple[str, ...]
) -> None:
    """iter_*_docker_migration_conflicts lists the flagged docker package."""
    conflicts = [p async for p in getattr(gh, f"iter_{scope}_docker_migration_conflicts")(*owner)]
    assert [(p.name, p.package_type) for p in conflicts] == [("legacy", "docker")]


def test_all_twenty_seven_operations_exist() -> None:
    """Eight operations per owner scope plus three conflict listings: 27 public methods."""
    verbs = [
        "iter_{s}_packages",
        "get_{s}_package",
        "delete_{s}_package",
        "restore_{s}_package",
        "iter_{s}_package_versions",
        "get_{s}_package_version",
        "delete_{s}_package_version",
        "restore_{s}_package_version",
        "iter_{s}_docker_migration_conflicts",
    ]
    names = {v.format(s=s) for v in verbs for s in ("user", "org", "authenticated_user")}
    assert len(names) == 27
    assert all(callable(getattr(PackagesClient, n)) for n in names)


async def test_user_versions_send_per_page(gh: PackagesClient) -> None:
    """The user version listing sends per_page although the spec omits it there."""
    [v async for v in gh.iter_user_package_versions("mona", "container", "app", per_page=2)]
    server: FakeGitHub = gh.server  # type: ignore[attr-defined]
    assert server.requests[0].query["per_page"] == "2"
    assert len(server.requests) == 2


OWNERS = [Owner.user("mona"), Owner.org("octo-org"), Owner.authenticated_user()]


@pytest.mark.parametrize("owner", OWNERS, ids=str)
async def test_owner_generic_operations_cover_every_scope(gh: PackagesClient, owner: Owner) -> None:
    """The owner-generic operations list, get, delete and restore for any Owner."""
    assert [p.name async for p in gh.iter_packages(owner, "container")] == ["app"]
    assert (await gh.get_package(owner, "container", "app")).version_count == 3
    versions = [v async for v in gh.iter_package_versions(owner, "container", "app")]
    first = versions[0].id
    assert (await gh.get_package_version(owner, "container", "app", first)).id == first
    await gh.delete_package_version(owner, "container", "app", first)
    with pytest.raises(NotFoundError):
        await gh.get_package_version(owner, "container", "app", first)
    await gh.restore_package_version(owner, "container", "app", first)
    await gh.delete_package(owner, "docker", "legacy")
    await gh.restore_package(owner, "docker", "legacy")
    conflicts = [p.name async for p in gh.iter_docker_migration_conflicts(owner)]
    assert conflicts == ["legacy"]


async def test_owner_generic_refuses_state_for_a_user_before_sending(gh: PackagesClient) -> None:
    """state= on a user's version listing is a ValueError and sends nothing."""
    server = gh.server  # type: ignore[attr-defined]
    before = len(server.requests)
    with pytest.raises(ValueError, match="state='deleted' is not accepted for user mona"):
        gh.iter_package_versions(Owner.user("mona"), "container", "app", state="deleted")
    with pytest.raises(TypeError, match="owner must be an Owner"):
        gh.iter_packages("mona", "container")  # type: ignore[arg-type]
    assert len(server.requests) == before
