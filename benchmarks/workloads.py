"""The workloads (a-e) and the server headroom probe.

Each returns :class:`Figure` rows. A client whose result differs from the expected tally
(item count and id checksum) in any repetition, or that raises, gets a VOID figure.
Repetitions are interleaved across clients (rep 1 of every client, then rep 2, ...), after
one untimed warm-up run per client; the figure is the median, with the interquartile range
and the best repetition beside it (:func:`spread`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from .clients import BenchClient, user_path
from .clients.floor import FLOOR_DECODER, FloorClient
from .clients.sdk import SdkClient, sdk_defaults, sdk_page_decoder
from .clients.third_party import GidgethubClient, GithubkitClient, githubkit_parse, missing
from .data import Tally, expected_tally, owner_login, render_page
from .server import ServerProcess

__all__ = ["Figure", "Settings", "run_all", "spread"]

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """Sizes and repetitions of one run mode."""

    mode: str
    decode_seconds: float  # target duration of one timed batch of decodes
    decode_reps: int
    cpu_pages: int
    cpu_reps: int  # b: timed listings per client in each process
    cpu_processes: int  # b: fresh processes; figures are the median of their medians
    latency_pages: int
    latency_ms: float
    latency_reps: int
    fan_owners: int
    fan_pages: int
    fan_latency_ms: float
    fan_concurrency: int
    fan_reps: int
    memory_pages: tuple[int, int]
    third_party: bool
    probe_requests: int
    scale_pages: int  # f: pages listed under the points budget
    scale_latency_ms: float
    plan_versions: int  # g
    deletions: int  # h
    scale_owners: tuple[int, int]  # i
    redis_processes: int  # j
    redis_scale: float  # j: virtual seconds per real second
    redis_virtual_s: float


MODES: dict[str, Settings] = {
    "full": Settings(
        mode="full", decode_seconds=0.25, decode_reps=7, cpu_pages=50, cpu_reps=15, cpu_processes=7,
        latency_pages=50, latency_ms=20, latency_reps=5, fan_owners=500, fan_pages=2,
        fan_latency_ms=20, fan_concurrency=32, fan_reps=5, memory_pages=(500, 2000),
        third_party=True, probe_requests=5000, scale_pages=1330, scale_latency_ms=100,
        plan_versions=133_000, deletions=10_000, scale_owners=(500, 5000), redis_processes=4,
        redis_scale=300, redis_virtual_s=300,
    ),
    "quick": Settings(
        mode="quick", decode_seconds=0.1, decode_reps=3, cpu_pages=50, cpu_reps=7, cpu_processes=2,
        latency_pages=50, latency_ms=20, latency_reps=2, fan_owners=200, fan_pages=2,
        fan_latency_ms=20, fan_concurrency=32, fan_reps=2, memory_pages=(500, 2000),
        third_party=True, probe_requests=2000, scale_pages=400, scale_latency_ms=100,
        plan_versions=20_000, deletions=1000, scale_owners=(200, 1000), redis_processes=4,
        redis_scale=300, redis_virtual_s=180,
    ),
    "smoke": Settings(
        mode="smoke", decode_seconds=0.005, decode_reps=1, cpu_pages=3, cpu_reps=1, cpu_processes=1,
        latency_pages=3, latency_ms=0, latency_reps=1, fan_owners=4, fan_pages=2,
        fan_latency_ms=0, fan_concurrency=4, fan_reps=1, memory_pages=(5, 20),
        third_party=False, probe_requests=50, scale_pages=3, scale_latency_ms=0,
        plan_versions=500, deletions=20, scale_owners=(4, 8), redis_processes=2,
        redis_scale=600, redis_virtual_s=60,
    ),
}  # fmt: skip


@dataclass
class Figure:
    """One measured (or skipped, or voided) number."""

    workload: str
    client: str
    value: float | None
    unit: str
    void: str | None = None  # why the figure is void
    skipped: str | None = None  # why the client was not run
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return self.value is not None and self.void is None and self.skipped is None


def spread(values: list[float], best: str = "min") -> dict[str, float]:
    """Median, quartiles (inclusive method) and best of ``values``, for ``Figure.extra``."""
    if len(values) < 2:
        return {"median": values[0], "q1": values[0], "q3": values[0], "best": values[0]}
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    top = min(values) if best == "min" else max(values)
    return {"median": statistics.median(values), "q1": q1, "q3": q3, "best": top}


def _mismatch(got: Tally, want: Tally) -> str | None:
    if got.count != want.count or got.checksum != want.checksum:
        return (
            f"returned {got.count} items (checksum {got.checksum}), "
            f"expected {want.count} ({want.checksum})"
        )
    return None


# -- a. decode ------------------------------------------------------------------------


def _time_decoder(decode: Callable[[bytes], Any], body: bytes, settings: Settings) -> list[float]:
    """Seconds per call in each of ``decode_reps`` batches of about ``decode_seconds``."""
    decode(body)
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < settings.decode_seconds / 5 or calls < 3:
        decode(body)
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    batch = max(3, int(settings.decode_seconds / per_call))
    per_batch = []
    for _ in range(settings.decode_reps):
        start = time.perf_counter()
        for _ in range(batch):
            decode(body)
        per_batch.append((time.perf_counter() - start) / batch)
    return per_batch


def workload_decode(settings: Settings) -> list[Figure]:
    body = render_page(1, 1, 1, 100)
    want = expected_tally([1], 1, 100)
    sdk_decoder, sdk_name = sdk_page_decoder()
    candidates: list[tuple[str, Callable[[bytes], Any], Callable[[Any], list[int]], str]] = [
        ("aiogh_packages", sdk_decoder.decode, lambda r: [p.id for p in r], sdk_name),
        (
            "floor (msgspec Struct)",
            FLOOR_DECODER.decode,
            lambda r: [p.id for p in r],
            "hand-written msgspec.Struct, same fields and types",
        ),
    ]
    figures: list[Figure] = []
    if settings.third_party:
        why = missing("githubkit")
        if why is None:
            parse, model = githubkit_parse()
            candidates.append(
                (
                    "githubkit",
                    lambda b: parse(model, b),
                    lambda r: [p.id for p in r],
                    "githubkit.compat.type_validate_json(list[Package], body), as per response",
                )
            )
        else:
            figures.append(Figure("a", "githubkit", None, "µs/page", skipped=why))
        why = missing("gidgethub")
        if why is None:
            candidates.append(
                (
                    "gidgethub",
                    json.loads,
                    lambda r: [p["id"] for p in r],
                    "json.loads to dicts (gidgethub does no model parsing)",
                )
            )
        else:
            figures.append(Figure("a", "gidgethub", None, "µs/page", skipped=why))
    for name, decode, ids, note in candidates:
        try:
            got = Tally()
            got.add_all(ids(decode(body)))
            void = _mismatch(got, want)
            stats = spread([t * 1e6 for t in _time_decoder(decode, body, settings)])
        except Exception as exc:
            figures.append(Figure("a", name, None, "µs/page", void=repr(exc)))
            continue
        figures.append(
            Figure("a", name, stats["median"], "µs/page", void=void, note=note, extra=stats)
        )
    order = ["aiogh_packages", "floor (msgspec Struct)", "githubkit", "gidgethub"]
    return sorted(figures, key=lambda f: order.index(f.client))


# -- shared runner for listing clients -------------------------------------------------


@dataclass
class _Run:
    wall: float
    cpu: float


async def _measure(
    clients: list[BenchClient],
    login: str,
    want: Tally,
    reps: int,
    before_timed: Callable[[], None] | None = None,
) -> dict[str, tuple[list[_Run], str | None]]:
    """Warm each client up once, then ``reps`` interleaved timed listings of ``login``."""
    results: dict[str, tuple[list[_Run], str | None]] = {c.label: ([], None) for c in clients}
    broken: dict[str, str] = {}
    for client in clients:
        try:
            got = await client.list_user(login)
        except Exception as exc:
            broken[client.label] = f"raised {exc!r}"
            continue
        if (why := _mismatch(got, want)) is not None:
            broken[client.label] = why
    if before_timed is not None:
        before_timed()
    for _ in range(reps):
        for client in clients:
            if client.label in broken:
                continue
            gc.collect()
            wall0, cpu0 = time.perf_counter(), time.process_time()
            try:
                got = await client.list_user(login)
            except Exception as exc:
                broken[client.label] = f"raised {exc!r}"
                continue
            run = _Run(time.perf_counter() - wall0, time.process_time() - cpu0)
            if (why := _mismatch(got, want)) is not None:
                broken[client.label] = why
            results[client.label][0].append(run)
    for label, why in broken.items():
        results[label] = (results[label][0], why)
    return results


async def _third_party(base_url: str, settings: Settings) -> tuple[list[BenchClient], list[str]]:
    """The installed third-party clients, and the labels of the missing ones."""
    clients: list[BenchClient] = []
    skipped: list[str] = []
    if not settings.third_party:
        return clients, skipped
    for module, factory in (("githubkit", GithubkitClient), ("gidgethub", GidgethubClient)):
        if missing(module) is None:
            clients.append(factory(base_url))
        else:
            skipped.append(module)
    return clients, skipped


async def _close_all(clients: list[BenchClient]) -> None:
    for client in clients:
        await client.aclose()


# -- b. CPU per item at 0 ms ----------------------------------------------------------


def cpu_clients(base_url: str) -> list[BenchClient]:
    """The clients of workload b, in the order they are timed."""
    return [
        SdkClient(base_url, max_concurrency=None),
        FloorClient(base_url),
        SdkClient(base_url, max_concurrency=32, label="aiogh_packages (max_concurrency=32)"),
        SdkClient(
            base_url, max_concurrency=sdk_defaults()[0], prefetch_window=1,
            label="aiogh_packages (prefetch off)",
        ),
    ]  # fmt: skip


async def measure_cpu(base_url: str, settings: Settings) -> dict[str, Any]:
    """Workload b in this process: per client, CPU µs per item of each timed listing."""
    login = owner_login(1, settings.cpu_pages)
    want = expected_tally([1], settings.cpu_pages, 100)
    clients = cpu_clients(base_url)
    others, skipped = await _third_party(base_url, settings)
    clients += others
    try:
        results = await _measure(clients, login, want, settings.cpu_reps)
    finally:
        await _close_all(clients)
    runs = {
        label: {"cpu_us": [r.cpu / want.count * 1e6 for r in rs],
                "wall_s": [r.wall for r in rs], "void": void}
        for label, (rs, void) in results.items()
    }  # fmt: skip
    configs = {c.label: c.config for c in clients if isinstance(c, SdkClient)}
    return {"runs": runs, "configs": configs, "skipped": skipped}


def workload_cpu(server: ServerProcess, settings: Settings) -> list[Figure]:
    """Workload b in ``cpu_processes`` fresh processes, one after the other.

    One process's medians are steady, but they move by up to 20 % from one process to the
    next (the floor's as much as the SDK's: allocator and memory layout), so each figure is
    the median over processes of the per-process medians.
    """
    server.set_latency(0)
    probes = [_cpu_probe(server.base_url, settings) for _ in range(settings.cpu_processes)]
    first = probes[0]
    figures = []
    for label in first["runs"]:
        figures.append(_cpu_figure(label, [p["runs"][label] for p in probes], first, settings))
    for name in first["skipped"]:
        figures.append(Figure("b", name, None, "CPU ms/1,000 items", skipped=missing(name)))
    return figures


def _cpu_probe(base_url: str, settings: Settings) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.cpu_probe", "--base-url", base_url, "--mode",
           settings.mode, *([] if settings.third_party else ["--no-third-party"])]  # fmt: skip
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"cpu probe failed: {proc.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _cpu_figure(
    label: str, runs: list[dict[str, Any]], first: dict[str, Any], settings: Settings
) -> Figure:
    void = next((r["void"] for r in runs if r["void"]), None)
    medians = [statistics.median(r["cpu_us"]) for r in runs if r["cpu_us"]]
    extra: dict[str, Any] = {}
    if medians and len(medians) == len(runs):
        extra = spread(medians)
        walls = [statistics.median(r["wall_s"]) for r in runs]
        extra["pages_per_s"] = settings.cpu_pages / statistics.median(walls)
        extra["process_medians"] = medians
    config = first["configs"].get(label, "")
    per = ", ".join(f"{m:.2f}" for m in medians)
    note = f"{config}; per-process medians {per}" if config else f"per-process medians {per}"
    return Figure("b", label, extra.get("median"), "CPU ms/1,000 items", void, None, note, extra)


# -- c. wall time at latency ----------------------------------------------------------


async def workload_latency(server: ServerProcess, settings: Settings) -> list[Figure]:
    server.set_latency(0)
    concurrency, window = sdk_defaults()
    login = owner_login(2, settings.latency_pages)
    want = expected_tally([2], settings.latency_pages, 100)
    clients: list[BenchClient] = [
        SdkClient(server.base_url, max_concurrency=None),
        SdkClient(
            server.base_url, max_concurrency=concurrency, prefetch_window=1,
            label="aiogh_packages (prefetch off)",
        ),
        FloorClient(server.base_url),
        FloorClient(server.base_url, parallel=True, concurrency=concurrency),
    ]  # fmt: skip
    others, skipped = await _third_party(server.base_url, settings)
    clients += others
    try:
        results = await _measure(
            clients, login, want, settings.latency_reps,
            before_timed=lambda: server.set_latency(settings.latency_ms),
        )  # fmt: skip
    finally:
        await _close_all(clients)
        server.set_latency(0)
    figures = []
    for client in clients:
        runs, void = results[client.label]
        note = client.config if isinstance(client, SdkClient) else ""
        if isinstance(client, FloorClient) and client.parallel:
            note = f"concurrency={client.concurrency} (the SDK's default max_concurrency)"
        extra: dict[str, Any] = spread([r.wall for r in runs]) if runs else {}
        value = extra.get("median")
        figures.append(Figure("c", client.label, value, "s wall", void, None, note, extra))
    for name in skipped:
        figures.append(Figure("c", name, None, "s wall", skipped=missing(name)))
    figures[0].extra["default_prefetch_window"] = window
    return figures


# -- d. fan-out -----------------------------------------------------------------------


async def workload_fan_out(server: ServerProcess, settings: Settings) -> list[Figure]:
    server.set_latency(0)
    owners = list(range(1, settings.fan_owners + 1))
    logins = [owner_login(n, settings.fan_pages) for n in owners]
    want = expected_tally(owners, settings.fan_pages, 100)
    conc = settings.fan_concurrency
    sdk = SdkClient(server.base_url, max_concurrency=conc)
    floor = FloorClient(server.base_url, concurrency=conc)
    runners: list[tuple[str, Callable[[list[str]], Awaitable[Tally]], str]] = [
        ("aiogh_packages", sdk.fan_out, f"fan_out_user_packages; {sdk.config}"),
        ("floor (semaphore)", floor.fan_out, f"asyncio.Semaphore({conc}) around each request"),
    ]
    runs: dict[str, list[float]] = {name: [] for name, _, _ in runners}
    broken: dict[str, str] = {}
    try:
        for name, run, _ in runners:  # warm-up: connections, and the server's page cache
            try:
                if (why := _mismatch(await run(logins), want)) is not None:
                    broken[name] = why
            except Exception as exc:
                broken[name] = f"raised {exc!r}"
        server.set_latency(settings.fan_latency_ms)
        for _ in range(settings.fan_reps):
            for name, run, _ in runners:
                if name in broken:
                    continue
                gc.collect()
                start = time.perf_counter()
                try:
                    got = await run(logins)
                except Exception as exc:
                    broken[name] = f"raised {exc!r}"
                    continue
                runs[name].append(time.perf_counter() - start)
                if (why := _mismatch(got, want)) is not None:
                    broken[name] = why
    finally:
        server.set_latency(0)
        await sdk.aclose()
        await floor.aclose()
    requests = settings.fan_owners * settings.fan_pages
    ideal = requests * settings.fan_latency_ms / 1000 / conc
    label = f"{settings.fan_owners} owners x {settings.fan_pages} pages, concurrency {conc}"
    figures = [
        Figure(
            "d", "ideal", ideal, "s wall",
            note=f"{requests} requests x {settings.fan_latency_ms:g} ms ÷ {conc}; {label}",
        )
    ]  # fmt: skip
    for name, _, note in runners:
        extra: dict[str, Any] = spread(runs[name]) if runs[name] else {}
        value = extra.get("median")
        figures.append(Figure("d", name, value, "s wall", broken.get(name), None, note, extra))
    return figures


# -- e. memory ------------------------------------------------------------------------


def workload_memory(server: ServerProcess, settings: Settings) -> list[Figure]:
    server.set_latency(0)
    figures = []
    for pages in settings.memory_pages:
        name = f"aiogh_packages, {pages} pages"
        cmd = [
            sys.executable, "-m", "benchmarks.memory_probe", "--base-url", server.base_url,
            "--pages", str(pages), "--concurrency", "0",
        ]  # fmt: skip
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            figures.append(Figure("e", name, None, "MB peak growth", void=tail[0]))
            continue
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        got = Tally()
        want = expected_tally([2], pages, 100)
        void = None
        if data["count"] != want.count or data["checksum"] != want.checksum:
            got.count = data["count"]
            void = f"returned {data['count']} items ({data['checksum']}), expected {want.count}"
        figures.append(
            Figure(
                "e", name, data["growth_kb"] / 1024, "MB peak growth", void,
                note=f"{data['method']}; fresh process; {data['config']}", extra=data,
            )
        )  # fmt: skip
    return figures


# -- server headroom ------------------------------------------------------------------


async def probe_server(server: ServerProcess, settings: Settings) -> list[Figure]:
    """A raw aiohttp GET loop at 0 ms (no decoding), and the server's CPU per request."""
    server.set_latency(0)
    concurrency, _ = sdk_defaults()
    pages = settings.cpu_pages
    urls = [
        f"{server.base_url}{user_path(owner_login(1, pages))}&page={p}" for p in range(1, pages + 1)
    ]
    async with aiohttp.ClientSession() as session:

        async def worker(start: int, count: int) -> int:
            done = 0
            for k in range(start, start + count):
                async with session.get(urls[k % len(urls)]) as resp:
                    done += len(await resp.read()) > 2
            return done

        await worker(0, len(urls))  # connections and the server's cache
        per = max(1, settings.probe_requests // concurrency)
        before = server.stats()
        start = time.perf_counter()
        done = sum(await asyncio.gather(*(worker(i * per, per) for i in range(concurrency))))
        wall = time.perf_counter() - start
        after = server.stats()
    served = after["requests"] - before["requests"]
    server_cpu = (after["cpu_s"] - before["cpu_s"]) / max(served, 1)
    void = None if done == per * concurrency else f"{done} of {per * concurrency} pages had items"
    return [
        Figure(
            "server", "raw aiohttp GET loop, no decode", done / wall, "pages/s", void,
            note=f"0 ms, {concurrency} connections, {done} x 100-item pages",
        ),
        Figure(
            "server", "server CPU per request", server_cpu * 1e6, "µs",
            note=f"≈ {1 / server_cpu if server_cpu > 0 else float('inf'):,.0f} requests/s "
            "on its one core (separate process)",
        ),
    ]  # fmt: skip


# -- all ------------------------------------------------------------------------------


@contextlib.contextmanager
def _pinned(server_pid: int) -> Iterator[str]:
    """Pin the server to the last CPU and this process (and its children) to the others.

    Keeps the two from migrating onto one core mid-measurement; restored on exit.
    """
    if not hasattr(os, "sched_setaffinity"):
        yield "CPUs not pinned (no sched_setaffinity)"
        return
    mine = os.sched_getaffinity(0)
    cpus = sorted(mine)
    if len(cpus) < 2:
        yield "CPUs not pinned (one CPU available)"
        return
    try:
        os.sched_setaffinity(server_pid, {cpus[-1]})
        os.sched_setaffinity(0, set(cpus[:-1]))
    except OSError as exc:
        yield f"CPUs not pinned ({exc})"
        return
    try:
        yield f"server pinned to CPU {cpus[-1]}, clients to CPU {','.join(map(str, cpus[:-1]))}"
    finally:
        os.sched_setaffinity(0, mine)


def run_all(settings: Settings, log: Callable[[str], None]) -> tuple[list[Figure], list[str]]:
    """Start the server process, run every workload, stop the server.

    Returns the figures and notes on how the run was set up.
    """
    figures: list[Figure] = []
    notes: list[str] = []
    log("a. decode of one 100-item page (in-process, no HTTP)")
    figures += workload_decode(settings)
    with ServerProcess() as server, _pinned(int(server.stats()["pid"])) as pinning:
        log(f"   server at {server.base_url}; {pinning}")
        notes.append(f"- CPU affinity: {pinning}.")
        log("   server headroom probe")
        figures += asyncio.run(probe_server(server, settings))
        log(f"b. {settings.cpu_pages} pages at 0 ms: CPU per 1,000 items")
        figures += workload_cpu(server, settings)
        log(f"c. {settings.latency_pages} pages at {settings.latency_ms:g} ms: wall time")
        figures += asyncio.run(workload_latency(server, settings))
        log(
            f"d. fan-out {settings.fan_owners} owners x {settings.fan_pages} pages at "
            f"{settings.fan_latency_ms:g} ms, concurrency {settings.fan_concurrency}"
        )
        figures += asyncio.run(workload_fan_out(server, settings))
        log(f"e. peak memory streaming {' and '.join(map(str, settings.memory_pages))} pages")
        figures += workload_memory(server, settings)
        from .scale import scale_workloads  # scale imports Figure and Settings from here

        figures += scale_workloads(server, settings, log)
    return figures, notes
