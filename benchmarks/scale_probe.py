"""Workloads g and i in a fresh process, so peak memory is the client's alone.

``python -m benchmarks.scale_probe plan --versions N``: start the fake GitHub with ``N``
versions in a child process (``serve``), list them all with the SDK and plan a clean-up;
prints peak RSS growth of listing + planning and the planning CPU time.
``python -m benchmarks.scale_probe fanout --base-url URL --owners N --pages P
--concurrency C``: ``gh.fan_out`` over ``N`` owners of the benchmark server; prints wall
time and peak RSS growth. Each prints one JSON line. Peak RSS is read as in
:mod:`.memory_probe` (``VmHWM`` after resetting it, growth from the RSS before).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time
from datetime import datetime, timezone

from aiogh_packages import Owner, PackagesClient, RetentionPolicy, plan_retention
from aiogh_packages.testing import FakeGitHub, Store

from .clients import TOKEN
from .data import owner_login
from .memory_probe import _peak_kb, _reset_peak, _status_kb

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def _start_measuring() -> tuple[int, str]:
    gc.collect()
    reset = _reset_peak()
    before = _status_kb("VmRSS") if reset else None
    return (before if before is not None else _peak_kb()), (
        "VmHWM reset via clear_refs" if reset else "peak RSS before/after"
    )


async def _serve(versions: int) -> None:
    store = Store()
    store.add_user("scale", id=4242)
    store.add_versions("scale", "container", "big", count=versions, now=NOW)
    async with FakeGitHub(store, rate_limit=None) as server:
        print(server.base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def _plan(base_url: str, versions: int) -> dict[str, object]:
    owner = Owner.user("scale")
    async with PackagesClient(token=TOKEN, base_url=base_url, points_per_minute=None) as gh:
        async for _ in gh.iter_package_versions(owner, "container", "big", per_page=10):
            break  # warm-up: session, connection, decoder
        before, method = _start_measuring()
        found = [v async for v in gh.iter_version_summaries(owner, "container", "big")]
        cpu0 = time.process_time()
        plan = plan_retention(
            found, RetentionPolicy(keep_latest=10), now=NOW, package_type="container"
        )
        cpu = time.process_time() - cpu0
        peak = _peak_kb()
    return {"count": len(found), "to_delete": len(plan.to_delete), "plan_cpu_s": cpu,
            "growth_kb": peak - before, "method": method, "versions": versions}  # fmt: skip


def plan(versions: int) -> dict[str, object]:
    cmd = [sys.executable, "-m", "benchmarks.scale_probe", "serve", "--versions", str(versions)]
    child = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        base_url = child.stdout.readline().strip()
        return asyncio.run(_plan(base_url, versions))
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


async def fanout(base_url: str, owners: int, pages: int, concurrency: int) -> dict[str, object]:
    async with PackagesClient(
        token=TOKEN, base_url=base_url, max_concurrency=concurrency, points_per_minute=None
    ) as gh:
        # warm-up: sessions, decoders and every one of the `concurrency` connections
        warm = [Owner.user(owner_login(n, pages)) for n in range(1, 2 * concurrency + 1)]
        async for _ in gh.fan_out(warm, lambda o: gh.iter_packages(o, "container")):
            pass
        before, method = _start_measuring()
        targets = (Owner.user(owner_login(n, pages)) for n in range(1, owners + 1))
        count, start = 0, time.perf_counter()
        async for result in gh.fan_out(targets, lambda o: gh.iter_packages(o, "container")):
            count += 1 if hasattr(result, "item") else 0
        wall = time.perf_counter() - start
        peak = _peak_kb()
    return {"count": count, "wall_s": wall, "growth_kb": peak - before, "method": method}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="scale workloads g and i in a fresh process")
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("serve", "plan"):
        sub.add_parser(name).add_argument("--versions", type=int, required=True)
    fan = sub.add_parser("fanout")
    fan.add_argument("--base-url", required=True)
    for flag in ("--owners", "--pages", "--concurrency"):
        fan.add_argument(flag, type=int, required=True)
    args = parser.parse_args(argv)
    if args.what == "serve":
        asyncio.run(_serve(args.versions))
        return
    if args.what == "plan":
        result = plan(args.versions)
    else:
        result = asyncio.run(fanout(args.base_url, args.owners, args.pages, args.concurrency))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
