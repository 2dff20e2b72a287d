"""``python -m aiogh_packages.testing``: run the fake GitHub standalone until Ctrl-C.

Prints ``aiogh_packages fake GitHub listening on http://HOST:PORT`` once it listens, serves
``sample_store()`` (or ``demo_store()`` with ``--demo-data``) and exits with status 0 on
SIGINT or SIGTERM. Options declare tokens, turn on rate limits and add latency; faults are
scripted over HTTP (``POST /_fake/faults``), so clients in any language can use it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from .auth import TokenInfo
from .control import parse_token_spec
from .seed import demo_store, sample_store
from .server import FakeGitHub
from .store import Store

_EXAMPLES = """\
examples:
  python -m aiogh_packages.testing --port 8080
  python -m aiogh_packages.testing --token ghp_mona:classic:read:packages:monalisa \\
      --token ghs_ci:actions::octo-org/hello-world-npm --secondary-limits --rate-limit 100
  curl -X POST http://127.0.0.1:8080/_fake/faults -d '{"status": 503, "times": 2}'
  curl -X POST http://127.0.0.1:8080/_fake/faults -d '{"kind": "link", "method": "GET"}'
  curl -X DELETE http://127.0.0.1:8080/_fake/faults

--token NAME:KIND:SCOPES[:OWNER]: NAME is the token itself; KIND is classic, fine_grained,
app or actions; SCOPES is comma-separated (may be empty); OWNER is the user's login
(default: the data's first user) or, for actions, owner/repo. Declaring any token turns on
GitHub's rules: 401 without a token, access checks, token kinds. Without --token any token
is accepted as the data's admin user.

POST /_fake/faults takes a JSON fault (or a list): status, body, headers, times, kind
(respond, drop, truncate, stall, hold, link), delay_s, method, path, query, link_header.
DELETE /_fake/faults clears them. Only loopback callers may use these.
"""


def _token(text: str) -> tuple[str, TokenInfo]:
    try:
        return parse_token_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m aiogh_packages.testing",
        description="Run the aiogh_packages fake GitHub Packages API.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free)")
    parser.add_argument("--demo-data", action="store_true", help="serve demo_store() data")
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay every answer (milliseconds)"
    )
    parser.add_argument(
        "--token",
        type=_token,
        action="append",
        default=[],
        metavar="NAME:KIND:SCOPES[:OWNER]",
        help="declare a token (repeatable); turns on GitHub's access rules",
    )
    parser.add_argument(
        "--secondary-limits", action="store_true", help="apply GitHub's secondary rate limits"
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=5000,
        metavar="N",
        help="primary rate limit, requests per hour per token (default 5000)",
    )
    return parser.parse_args(argv)


def _tokens(specs: list[tuple[str, TokenInfo]], store: Store) -> dict[str, TokenInfo] | None:
    if not specs:
        return None
    first = store.first_user()
    default = first.login if first is not None else ""
    return {
        token: info if info.login else TokenInfo(default, info.scopes, info.kind)
        for token, info in specs
    }


async def _serve(options: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows: no handlers
            loop.add_signal_handler(signum, stop.set)
    store = demo_store() if options.demo_data else sample_store()
    server = FakeGitHub(
        store,
        host=options.host,
        port=options.port,
        latency_s=options.latency_ms / 1000,
        tokens=_tokens(options.token, store),
        rate_limit=options.rate_limit,
        secondary_limits=options.secondary_limits,
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
