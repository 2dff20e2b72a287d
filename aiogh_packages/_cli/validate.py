"""``validate``: check that every tagged image of a container package is still whole."""

from __future__ import annotations

import argparse

import msgspec

from .._sansio.registry_wire import default_registry_url
from ..images import validate_package
from ..owner import Owner
from ..registry import RegistryClient
from . import actions
from .errors import ExitCode
from .render import Out
from .session import make_client, owner_of

__all__ = ["validate"]


def _owner(args: argparse.Namespace) -> Owner:
    chosen = owner_of(args)
    if chosen.name is None:
        raise ValueError("validate needs --user NAME or --org NAME (the registry path has a login)")
    return Owner.org(chosen.name) if chosen.kind == "org" else Owner.user(chosen.name)


async def validate(args: argparse.Namespace, out: Out, token: str | None) -> int:
    """``validate``: exit 0 when every tagged image is whole, else list the broken ones (1)."""
    with actions.step(args, out, token):
        return await _validate(args, out, token)


async def _validate(args: argparse.Namespace, out: Out, token: str | None) -> int:
    if args.package_type != "container":
        raise ValueError(f"validate works on --type container, not {args.package_type!r}")
    owner = _owner(args)
    registry_url = args.registry_url or default_registry_url(args.base_url)
    async with (
        make_client(args, token) as gh,
        RegistryClient(
            token=token,
            registry_url=registry_url,
            max_concurrency=min(args.concurrency, 8),
            max_attempts=args.max_tries,
            max_wait_s=args.max_wait,
            timeout_s=args.timeout,
            manifest_cache_dir=args.manifest_cache,
        ) as registry,
    ):
        broken = await validate_package(gh, registry, owner, args.package)
    actions.report_validate(args.package, out, broken)
    if args.json:
        out.json({"ok": not broken, "broken": [msgspec.to_builtins(b) for b in broken]})
    elif not broken:
        out.line(f"{args.package}: every tagged image is whole")
    else:
        out.line(out.style(f"{args.package}: {len(broken)} broken image(s)", "red", "bold"))
        for image in broken:
            out.line(f"  {', '.join(image.tags)} ({image.digest})")
            out.lines(f"    - {problem}" for problem in image.problems)
    return ExitCode.OK if not broken else ExitCode.ERROR
