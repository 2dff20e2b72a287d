"""Workload j's worker: one OS process spending from a shared :class:`RedisRateBudget`.

``python -m benchmarks.redis_worker URL PREFIX SCALE END``: once connected it prints
``ready`` and reads the common start epoch ``START`` from stdin. From then on, with a clock
running ``SCALE`` times faster than real time (the same for every worker), it asks for
5-point DELETEs on one endpoint until virtual second ``END``, and prints the virtual time
of each granted spend, one per line. Refused, it sleeps the wait it was told (scaled).
"""

from __future__ import annotations

import asyncio
import sys
import time

from aiogh_packages.budget import RedisRateBudget

from .clients import TOKEN


async def run(url: str, prefix: str, scale: float, end: float) -> list[float]:
    budget = RedisRateBudget.from_url(url, token=TOKEN, prefix=prefix)
    granted: list[float] = []
    await budget.paused_until()  # connected
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    start = float(sys.stdin.readline())
    await asyncio.sleep(max(start - time.time(), 0.0))
    try:
        while (now := (time.time() - start) * scale) < end:
            wait = await budget.reserve("DELETE /user/packages/{type}/{name}/versions/{id}", 5, now)
            if wait == 0.0:
                granted.append(now)
            else:
                await asyncio.sleep(min(wait / scale, 0.01))
    finally:
        await budget.aclose()
    return granted


def main(argv: list[str]) -> None:
    url, prefix, scale, end = argv
    granted = asyncio.run(run(url, prefix, float(scale), float(end)))
    sys.stdout.write("".join(f"{t!r}\n" for t in granted))


if __name__ == "__main__":
    main(sys.argv[1:])
