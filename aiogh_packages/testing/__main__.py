"""``python -m aiogh_packages.testing``: run the fake GitHub standalone until Ctrl-C.

Prints ``aiogh_packages fake GitHub listening on http://HOST:PORT`` once it listens, serves
``sample_store()`` (or ``demo_store()`` with ``--demo-data``) and exits with status 0 on
SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from .seed import demo_store, sample_store
from .server import FakeGitHub


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m aiogh_packages.testing",
        description="Run the aiogh_packages fake GitHub Packages API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free)")
    parser.add_argument("--demo-data", action="store_true", help="serve demo_store() data")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay every answer")
    return parser.parse_args(argv)


async def _serve(options: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows: no handlers
            loop.add_signal_handler(signum, stop.set)
    store = demo_store() if options.demo_data else sample_store()
    server = FakeGitHub(
        store, host=options.host, port=options.port, latency_s=options.latency_ms / 1000
    )
    async with server:
        print(f"aiogh_packages fake GitHub listening on {server.base_url}", flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted; returns the exit status."""
    options = _arguments(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
