"""A fast loopback GitHub Packages server for the benchmarks, run in its own process.

Raw ``asyncio.Protocol`` HTTP/1.1 with keep-alive: no framework between the socket and the
pre-rendered bytes, so the server is never what a client waits for. It serves

* ``GET /users/{login}/packages`` and ``GET /orgs/{login}/packages`` (``page``, ``per_page``),
* ``GET /user/{id}/packages`` and ``GET /organizations/{id}/packages``, the owner-by-id form
  GitHub writes in ``Link`` headers,

with GitHub's ``Link`` (``prev``, ``next``, ``last``, ``first``, in GitHub's order),
``x-ratelimit-*`` headers and ``application/json`` bodies (see :mod:`benchmarks.data`).
Control routes (answered at once, never delayed): ``GET /__bench/config?latency_ms=20``
sets the per-request latency (an event-loop timer, not a blocking sleep) and
``GET /__bench/stats`` reports requests served and the server's own CPU time.

Run ``python -m benchmarks.server [--host H] [--port P]``; it prints ``READY <port>``.
:class:`ServerProcess` does that from the driver.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl

from .data import MAX_PER_PAGE, owner_id, parse_login, parse_owner_id, render_page

__all__ = ["BenchServer", "ServerProcess"]

_BODY_CACHE_LIMIT = 2500  # rendered pages kept (~130 kB each); FIFO eviction


class BenchServer:
    """The state shared by every connection: latency, counters and the page cache."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.port = 0
        self.latency_s = 0.0
        self.requests = 0
        self.rendered = 0
        self.reset_epoch = int(time.time()) + 3600
        self._bodies: dict[tuple[int, int, int, int, bool], bytes] = {}

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def body(self, n: int, pages: int, page: int, per_page: int, org: bool) -> bytes:
        key = (n, pages, page, per_page, org)
        body = self._bodies.get(key)
        if body is None:
            body = render_page(n, pages, page, per_page, org=org)
            self.rendered += 1
            if len(self._bodies) >= _BODY_CACHE_LIMIT:
                del self._bodies[next(iter(self._bodies))]
            self._bodies[key] = body
        return body

    def handle(self, method: bytes, target: bytes) -> tuple[list[bytes], bool]:
        """The response (as buffers) and whether it goes through the latency delay."""
        path, _, query_bytes = target.decode("latin-1").partition("?")
        if path.startswith("/__bench/"):
            return self._control(path, query_bytes), False
        self.requests += 1
        parts = path.split("/")
        # ['', 'users', login, 'packages']
        if method != b"GET" or len(parts) != 4 or parts[3] != "packages":
            return _error(404, "Not Found"), True
        scope, who = parts[1], parts[2]
        owner: tuple[int, int] | None = None
        if scope in ("users", "orgs"):
            owner = parse_login(who)
        elif scope in ("user", "organizations") and who.isdigit():
            owner = parse_owner_id(int(who))
        if owner is None:
            return _error(404, "Not Found"), True
        org = scope in ("orgs", "organizations")
        query = dict(parse_qsl(query_bytes, keep_blank_values=True))
        try:
            page = int(query.get("page", "1"))
            per_page = int(query.get("per_page", "30"))
        except ValueError:
            return _error(422, "Invalid page or per_page"), True
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            return _error(422, "Invalid page or per_page"), True
        n, pages = owner
        body = self.body(n, pages, page, per_page, org)
        link = self._link(n, pages, page, per_page, org, query.get("package_type"), query)
        return self._ok(body, link), True

    def _link(
        self,
        n: int,
        pages: int,
        page: int,
        per_page: int,
        org: bool,
        package_type: str | None,
        query: dict[str, str],
    ) -> str:
        base = f"{self.origin}/{'organizations' if org else 'user'}/{owner_id(n, pages)}/packages?"
        params = ""
        if package_type is not None:
            params += f"package_type={package_type}&"
        if "visibility" in query:
            params += f"visibility={query['visibility']}&"
        params += f"per_page={per_page}&page="
        entries = []
        if page > 1:
            entries.append(f'<{base}{params}{min(page - 1, pages)}>; rel="prev"')
        if page < pages:
            entries.append(f'<{base}{params}{page + 1}>; rel="next"')
            entries.append(f'<{base}{params}{pages}>; rel="last"')
        if page > 1:
            entries.append(f'<{base}{params}1>; rel="first"')
        return ", ".join(entries)

    def _ok(self, body: bytes, link: str) -> list[bytes]:
        used = self.requests % 4000 + 1
        head = (
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            + (f"Link: {link}\r\n" if link else "")
            + "X-GitHub-Api-Version-Selected: 2022-11-28\r\n"
            "X-RateLimit-Limit: 5000\r\n"
            f"X-RateLimit-Remaining: {5000 - used}\r\n"
            f"X-RateLimit-Reset: {self.reset_epoch}\r\n"
            f"X-RateLimit-Used: {used}\r\n"
            "X-RateLimit-Resource: core\r\n"
            f"X-GitHub-Request-Id: BENCH:{self.requests:08X}\r\n"
            "\r\n"
        )
        return [head.encode("latin-1"), body]

    def _control(self, path: str, query: str) -> list[bytes]:
        params = dict(parse_qsl(query))
        if path == "/__bench/config":
            if "latency_ms" in params:
                self.latency_s = float(params["latency_ms"]) / 1000
        elif path != "/__bench/stats":
            return _error(404, "Not Found")
        stats = {
            "requests": self.requests,
            "rendered": self.rendered,
            "cpu_s": time.process_time(),
            "latency_ms": self.latency_s * 1000,
            "pid": os.getpid(),
        }
        body = json.dumps(stats).encode()
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return [head.encode("latin-1"), body]


def _error(status: int, message: str) -> list[bytes]:
    body = json.dumps(
        {"message": message, "documentation_url": "https://docs.github.com/rest", "status": status}
    ).encode()
    reason = http.client.responses.get(status, "Error")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return [head.encode("latin-1"), body]


class _Connection(asyncio.Protocol):
    """One keep-alive connection: requests answered strictly in order, one at a time."""

    def __init__(self, server: BenchServer) -> None:
        self._server = server
        self._buffer = bytearray()
        self._busy = False
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._process()

    def _process(self) -> None:
        while not self._busy and self._transport is not None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self._buffer[:end])
            lines = head.split(b"\r\n")
            length = 0
            close = lines[0].endswith(b"HTTP/1.0")
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection":
                    close = value.strip().lower() == b"close"
            if len(self._buffer) < end + 4 + length:
                return
            del self._buffer[: end + 4 + length]
            method, target, _ = lines[0].split(b" ", 2)
            response, delayed = self._server.handle(method, target)
            latency = self._server.latency_s
            if delayed and latency > 0:
                self._busy = True
                self._loop.call_later(latency, self._send_later, response, close)
                return
            self._send(response, close)

    def _send(self, response: list[bytes], close: bool) -> None:
        if self._transport is None:
            return
        self._transport.writelines(response)
        if close:
            self._transport.close()
            self._transport = None

    def _send_later(self, response: list[bytes], close: bool) -> None:
        self._busy = False
        self._send(response, close)
        self._process()


async def serve(host: str, port: int) -> None:
    """Serve until the process is killed (or stdin closes), printing ``READY <port>``."""
    state = BenchServer(host)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Connection(state), host, port, backlog=1024)
    state.port = server.sockets[0].getsockname()[1]
    print(f"READY {state.port}", flush=True)
    stop = asyncio.Event()
    # Exit when the driver goes away: it holds our stdin open for as long as it runs.
    loop.add_reader(sys.stdin.fileno(), lambda: None if sys.stdin.read(1) else stop.set())
    async with server:
        await stop.wait()


class ServerProcess:
    """Start :func:`serve` in a child process; a context manager that stops it on exit."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._proc: subprocess.Popen[str] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> ServerProcess:
        root = Path(__file__).resolve().parents[1]
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server", "--host", self.host, "--port", "0"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line.startswith("READY "):
            self.close()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def _get(self, path: str) -> dict[str, float]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request("GET", path)
            data: dict[str, float] = json.loads(conn.getresponse().read())
            return data
        finally:
            conn.close()

    def set_latency(self, ms: float) -> None:
        """Delay every API response by ``ms`` milliseconds from now on."""
        self._get(f"/__bench/config?latency_ms={ms}")

    def stats(self) -> dict[str, float]:
        """``requests``, ``rendered``, ``cpu_s`` (the server's user+system CPU seconds)."""
        return self._get("/__bench/stats")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
