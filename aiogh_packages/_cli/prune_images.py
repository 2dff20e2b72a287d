"""What ``prune`` adds for container packages: the registry it reads manifests from."""

from __future__ import annotations

import argparse

from .._sansio.registry_wire import default_registry_url
from ..registry import RegistryClient
from .errors import UsageError
from .session import Owner

__all__ = ["check_image_flags", "open_registry"]

_IMAGE_FLAGS = (
    ("registry_url", "--registry-url"),
    ("manifest_cache", "--manifest-cache"),
    ("delete_orphans", "--delete-orphans"),
    ("delete_ghost_images", "--delete-ghost-images"),
    ("delete_partial_images", "--delete-partial-images"),
    ("untag", "--untag"),
)


def check_image_flags(args: argparse.Namespace) -> None:
    """Refuse the container-image flags for other package types (a usage error, exit 2)."""
    if args.package_type == "container":
        return
    for attribute, flag in _IMAGE_FLAGS:
        if getattr(args, attribute):
            raise UsageError(f"{flag} works with --type container only")


def open_registry(
    args: argparse.Namespace, owner: Owner, token: str | None
) -> RegistryClient | None:
    """The registry client for a container prune of a named owner, else None.

    The authenticated user (``--me``) has no login to name the registry path with, so its
    plan keeps every untagged version (the plan says so).
    """
    if args.package_type != "container" or owner.name is None:
        return None
    return RegistryClient(
        token=token,
        registry_url=args.registry_url or default_registry_url(args.base_url),
        max_concurrency=min(args.concurrency, 8),
        max_attempts=args.max_tries,
        max_wait_s=args.max_wait,
        timeout_s=args.timeout,
        manifest_cache_dir=args.manifest_cache,
    )
