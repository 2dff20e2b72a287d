"""Reading a container package as images, and checking that its tagged images are whole.

Lists the package's versions through :class:`~aiogh_packages.PackagesClient`, reads their
manifests through :class:`~aiogh_packages.RegistryClient` (cached, bounded concurrency) and
builds the pure image graph of :mod:`._sansio.images`.
"""

from __future__ import annotations

from ._sansio.images import BrokenImage, ImageGraph, ImageVersion, broken_images, build_graph
from .client import PackagesClient
from .owner import Owner
from .registry import RegistryClient

__all__ = ["BrokenImage", "ImageGraph", "read_image_graph", "validate_package"]


async def read_image_graph(
    client: PackagesClient, registry: RegistryClient, owner: Owner, package: str
) -> ImageGraph:
    """The image graph of ``owner``'s container ``package``: every active version and its role.

    A manifest that cannot be read shows as role ``unknown`` (the graph then fails closed);
    it does not raise.

    Raises:
        ValueError: ``owner`` is the authenticated user (the registry path needs a login),
            or the package name is not a registry repository name.
        PackagesError: listing the versions failed.
    """
    if owner.name is None:
        raise ValueError("the registry needs the owner's login: use Owner.user(name), not 'me'")
    versions = [
        ImageVersion(digest=v.name, tags=v.tags, id=v.id)
        async for v in client.iter_package_versions(owner, "container", package)
    ]
    manifests = await registry.get_manifests(owner, package, [v.digest for v in versions])
    return build_graph(versions, manifests)


async def validate_package(
    client: PackagesClient, registry: RegistryClient, owner: Owner, package: str
) -> list[BrokenImage]:
    """Tagged images of ``owner``'s container ``package`` that can no longer be pulled whole.

    An image is broken when its manifest, a child manifest (transitively) or a referrer is
    missing or unreadable. An empty list means every tagged image is intact.

    Raises:
        ValueError, PackagesError: as :func:`read_image_graph`.
    """
    return broken_images(await read_image_graph(client, registry, owner, package))
