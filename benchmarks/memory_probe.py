"""Workload e, in a fresh process: peak RSS growth while streaming N pages with the SDK.

``python -m benchmarks.memory_probe --base-url URL --pages N --concurrency C`` prints one
JSON line. Steps: import everything and stream a 5-page listing (sessions, connections,
decoders and the allocator warmed up); ``gc.collect()``; reset the kernel's peak-RSS mark
(``/proc/self/clear_refs``, where allowed) and read the current RSS; stream ``N`` pages
keeping nothing but a running checksum; read the peak RSS (``VmHWM``, or
``getrusage().ru_maxrss`` off Linux). Growth = peak after - RSS before.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
from pathlib import Path

from .clients.sdk import SdkClient
from .data import owner_login

_STATUS = Path("/proc/self/status")


def _status_kb(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_kb() -> int:
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


async def probe(base_url: str, pages: int, concurrency: int) -> dict[str, object]:
    client = SdkClient(base_url, max_concurrency=concurrency or None)  # 0: SDK defaults
    try:
        warm = await client.list_user(owner_login(1, 5))
        gc.collect()
        reset = _reset_peak()
        before = _status_kb("VmRSS") if reset else None
        if before is None:
            before = _peak_kb()
        tally = await client.list_user(owner_login(2, pages))
        after = _peak_kb()
    finally:
        await client.aclose()
    return {
        "pages": pages,
        "warm_items": warm.count,
        "count": tally.count,
        "checksum": tally.checksum,
        "rss_before_kb": before,
        "peak_after_kb": after,
        "growth_kb": after - before,
        "method": "VmHWM reset via clear_refs" if reset else "peak RSS before/after",
        "config": client.config,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="peak RSS growth while streaming pages")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=0, help="0: the SDK defaults")
    args = parser.parse_args(argv)
    result = asyncio.run(probe(args.base_url, args.pages, args.concurrency))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
