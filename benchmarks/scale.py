"""Scale workloads f-j (issue 14): GitHub's budget floor, 133,000 versions, 10,000 deletions.

f. a 1,330-page version listing under the points budget at 100 ms per page (hybrid clock:
   real latency, the budget's waits jumped over: :mod:`.virtual_time`);
g. listing + planning 133,000 versions: peak memory and planning CPU (fresh process,
   ``scale_probe plan``; the fake server runs in a child process);
h. 10,000 deletions through ``apply_plan`` with pacing on, in pure virtual time; the
   points per 60 s window are counted from the fake server's request log;
i. fan-out over 500 and 5,000 owners at 20 ms (fresh process each, ``scale_probe fanout``);
j. N processes on one Redis budget (``redis_worker``), against one process alone.

Every run uses the public client API only; each figure says its configuration.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from aiogh_packages import Owner, PackagesClient, RetentionPolicy, plan_retention
from aiogh_packages.retention import apply_plan
from aiogh_packages.testing import FakeGitHub, Store

from .clients import TOKEN
from .server import ServerProcess
from .virtual_time import VirtualTime, arrival_times, worst_window
from .workloads import Figure, Settings

__all__ = ["scale_workloads"]

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
POINTS = 900  # GitHub's secondary limit per endpoint per minute


def _store(versions: int) -> Store:
    store = Store()
    store.add_user("scale", id=4242)
    store.add_versions("scale", "container", "big", count=versions, now=NOW)
    return store


# -- f. listing under the points budget ------------------------------------------------


async def workload_budget_listing(settings: Settings) -> list[Figure]:
    pages = settings.scale_pages
    latency = settings.scale_latency_ms / 1000
    async with FakeGitHub(_store(pages * 100), rate_limit=None, latency_s=latency) as server:
        vt, started = VirtualTime(real=True), time.perf_counter()
        async with PackagesClient(
            token=TOKEN, base_url=server.base_url, clock=vt, sleep=vt.sleep
        ) as gh:
            count = 0
            async for _ in gh.iter_package_versions(Owner.user("scale"), "container", "big"):
                count += 1
        virtual, real = vt.elapsed(), time.perf_counter() - started
    floor = pages / POINTS * 60
    void = None if count == pages * 100 else f"listed {count} of {pages * 100} versions"
    note = (
        f"SDK defaults, {settings.scale_latency_ms:g} ms per page, budget {POINTS}/min; "
        f"clock = real time + the budget's waits jumped over ({real:.1f} s real); "
        f"budget floor {pages} pages ÷ {POINTS}/min = {floor:.1f} s; {virtual:.1f} s in all"
    )
    extra = {"floor_s": floor, "virtual_s": virtual, "real_s": real,
             "targets": [(f"{pages:,}-page listing ÷ budget floor", 1.1, True)]}  # fmt: skip
    return [
        Figure("f", f"{pages} pages", virtual / floor, "x budget floor", void, None, note, extra)
    ]


# -- h. paced deletions ----------------------------------------------------------------


async def _delete_all(versions: int, write_interval: float | None) -> tuple[float, list[float]]:
    """Plan and apply deleting ``versions`` versions; (virtual seconds, DELETE arrival times)."""
    # One more version than deleted, kept: GitHub refuses to delete a package's last version.
    async with FakeGitHub(_store(versions + 1), rate_limit=None) as server:
        vt = VirtualTime(real=False, count=lambda: len(server.requests))
        default = inspect.signature(PackagesClient).parameters["write_interval"].default
        spacing = float(default if write_interval is None else write_interval)
        async with PackagesClient(
            token=TOKEN, base_url=server.base_url, clock=vt, sleep=vt.sleep, write_interval=spacing
        ) as gh:
            found = [
                v async for v in gh.iter_package_versions(Owner.user("scale"), "container", "big")
            ]
            plan = plan_retention(found, RetentionPolicy(keep_latest=1), now=NOW)
            server.clear_requests()
            vt.marks = [(vt(), 0)]
            start = vt()
            report = await apply_plan(
                gh, Owner.user("scale"), "container", "big", plan, max_deletions=versions
            )
            elapsed = vt() - start
        log = server.requests
    times = arrival_times(vt.marks, len(log))
    deletes = [t for t, r in zip(times, log, strict=True) if r.method == "DELETE"]
    if len(report.deleted) != versions:
        raise RuntimeError(f"deleted {len(report.deleted)} of {versions}: {report.failed[:1]}")
    return elapsed, deletes


async def workload_deletions(settings: Settings) -> list[Figure]:
    figures = []
    n = settings.deletions
    for label, interval, goal in (("defaults", None, 60.0), ("write_interval=0", 0.0, 180.0)):
        elapsed, deletes = await _delete_all(n, interval)
        span = max(deletes) - min(deletes) if deletes else 0.0
        rate = (len(deletes) - 1) / span * 60 if span else float("inf")  # steady state
        worst = worst_window([(t, 5) for t in deletes])
        void = None if len(deletes) == n else f"{len(deletes)} DELETEs logged, expected {n}"
        note = (
            f"{n} DELETEs via apply_plan; SDK {label} (points_per_minute=900); pure virtual "
            f"time; {rate:.1f}/min over {elapsed / 60:.1f} virtual min; goal {goal:g}/min; "
            f"most points in any 60 s (server log): {worst}"
        )
        extra = {
            "per_minute": rate, "worst_window_points": worst,
            "targets": [(f"DELETEs/min ÷ {goal:g}/min", 0.95, False)],
            "invariants": [("never over 900 points in 60 s", f"{worst} points", worst <= POINTS)],
        }  # fmt: skip
        figures.append(Figure("h", label, rate / goal, f"x {goal:g}/min", void, None, note, extra))
    return figures


# -- g and i: fresh-process probes ------------------------------------------------------


def _probe(*args: str) -> dict[str, object]:
    cmd = [sys.executable, "-m", "benchmarks.scale_probe", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        raise RuntimeError(tail[0])
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def workload_plan(settings: Settings) -> list[Figure]:
    n = settings.plan_versions
    try:
        data = _probe("plan", "--versions", str(n))
    except RuntimeError as exc:
        return [Figure("g", f"{n:,} versions", None, "MB peak growth", void=str(exc))]
    void = None if data["count"] == n else f"listed {data['count']} of {n}"
    cpu = float(str(data["plan_cpu_s"]))
    note = (
        f"list (iter_version_summaries, points_per_minute=None) + plan_retention(keep_latest=10) "
        f"in a fresh process, server in a child process; planning CPU {cpu:.2f} s; "
        f"{data['to_delete']} to delete; {data['method']}"
    )
    growth = float(str(data["growth_kb"])) / 1024
    extra = {**data, "targets": [(f"{n:,}-version list + plan: peak growth", 150.0, True)]}
    cpu_fig = Figure("g", f"{n:,} versions, planning CPU", cpu, "s CPU", void, extra={
        "targets": [(f"{n:,}-version plan: planning CPU", 2.0, True)]})  # fmt: skip
    return [
        Figure("g", f"{n:,} versions", growth, "MB peak growth", void, None, note, extra),
        cpu_fig,
    ]


def workload_fan_out_scale(server: ServerProcess, settings: Settings) -> list[Figure]:
    """Each owner count in ``min(3, fan_reps)`` fresh processes; medians of wall and growth."""
    figures = []
    server.set_latency(settings.fan_latency_ms)
    try:
        for owners in settings.scale_owners:
            figures.append(_fan_out_figure(server, owners, min(3, settings.fan_reps), settings))
    finally:
        server.set_latency(0)
    return figures + _growth_figure(figures)


def _fan_out_figure(server: ServerProcess, owners: int, reps: int, settings: Settings) -> Figure:
    latency, conc, pages = settings.fan_latency_ms, settings.fan_concurrency, settings.fan_pages
    ideal = owners * pages * latency / 1000 / conc
    runs = []
    for _ in range(reps):
        try:
            runs.append(_probe("fanout", "--base-url", server.base_url, "--owners", str(owners),
                               "--pages", str(pages), "--concurrency", str(conc)))  # fmt: skip
        except RuntimeError as exc:
            return Figure("i", f"{owners} owners", None, "x ideal", void=str(exc))
    want = owners * pages * 100
    wrong = [r["count"] for r in runs if r["count"] != want]  # any wrong run voids the figure
    void = f"got {wrong[0]} of {want} items" if wrong else None
    walls = [float(str(r["wall_s"])) for r in runs]
    wall = statistics.median(walls)
    growth_kb = statistics.median(float(str(r["growth_kb"])) for r in runs)
    note = (
        f"gh.fan_out over iter_packages, {pages} pages each at {latency:g} ms; "
        f"max_concurrency={conc}, points_per_minute=None; median of {reps} fresh processes "
        f"{wall:.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}) vs ideal {ideal:.2f} s; "
        f"peak growth {growth_kb / 1024:.1f} MB"
    )
    extra = {"runs": runs, "growth_kb": growth_kb, "ideal_s": ideal,
             "targets": [("fan-out wall ÷ ideal", 1.3, True)]}  # fmt: skip
    value, unit = (wall / ideal, "x ideal") if ideal else (wall, "s wall (0 ms: no ideal)")
    return Figure("i", f"{owners} owners", value, unit, void, None, note, extra)


def _growth_figure(figures: list[Figure]) -> list[Figure]:
    """Whether memory grows sub-linearly with owners: growth ratio ÷ owner ratio."""
    usable = [f for f in figures if f.usable]
    if len(usable) != 2:
        return []
    (a, b) = usable
    grow = max(float(b.extra["growth_kb"]), 1.0) / max(float(a.extra["growth_kb"]), 1.0)
    owners = float(b.client.split()[0]) / float(a.client.split()[0])
    note = f"peak growth x{grow:.2f} for x{owners:g} owners (< 1 is sub-linear)"
    extra = {"targets": [("fan-out memory growth ÷ owner growth", 1.0, True)]}
    return [Figure("i", "memory vs owners", grow / owners, "x linear", None, None, note, extra)]


# -- j. one Redis budget shared by N processes ------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _redis_run(url: str, processes: int, prefix: str, scale: float, end: float) -> list[float]:
    args = [url, prefix, repr(scale), repr(end)]
    cmd = [sys.executable, "-m", "benchmarks.redis_worker", *args]
    workers = [
        subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    for worker in workers:  # every worker connected before the common clock starts
        if worker.stdout is None or worker.stdout.readline().strip() != "ready":
            raise RuntimeError("a Redis worker did not start")
    go = f"{time.time() + 0.05!r}\n"
    outs = [w.communicate(go, timeout=300)[0] for w in workers]
    if any(w.returncode for w in workers):
        raise RuntimeError(f"a worker failed: exit codes {[w.returncode for w in workers]}")
    return sorted(float(line) for out in outs for line in out.split())


def workload_redis(settings: Settings) -> list[Figure]:
    server_bin = shutil.which("redis-server")
    why = None if server_bin else "redis-server not on PATH"
    try:
        import redis  # noqa: F401
    except ImportError:
        why = "redis-py not installed (pip install -e '.[redis]')"
    if why is not None or server_bin is None:
        return [
            Figure("j", f"{settings.redis_processes} processes", None, "x one process", skipped=why)
        ]
    port = _free_port()
    cmd = [
        server_bin,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return _redis_figures(f"redis://127.0.0.1:{port}/0", settings)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _redis_figures(url: str, settings: Settings) -> list[Figure]:
    scale, end, n = settings.redis_scale, settings.redis_virtual_s, settings.redis_processes
    _wait_for_redis(url)
    alone = _redis_run(url, 1, "bench-alone", scale, end)
    shared = _redis_run(url, n, "bench-shared", scale, end)

    def rate(grants: list[float]) -> float:  # DELETEs per virtual minute
        return len(grants) / end * 60

    worst = worst_window([(t, 5) for t in shared])
    note = (
        f"RedisRateBudget.reserve driven directly, 5-point DELETEs, {POINTS}/min; clock = real x "
        f"{scale:g} for {end:g} virtual s; one process {rate(alone):.0f}/min, {n} processes "
        f"{rate(shared):.0f}/min together; most points in any 60 s: {worst}"
    )
    extra = {
        "alone_per_min": rate(alone), "shared_per_min": rate(shared), "worst_window_points": worst,
        "targets": [(f"{n} processes ÷ one process, throughput", 0.9, False)],
        "invariants": [("together never over 900 in 60 s", f"{worst} points", worst <= POINTS)],
    }  # fmt: skip
    value = rate(shared) / rate(alone) if alone else None
    void = None if alone and shared else "no grants"
    return [Figure("j", f"{n} processes", value, "x one process", void, None, note, extra)]


def _wait_for_redis(url: str) -> None:
    host, port = url.split("//")[1].split("/")[0].split(":")
    for _ in range(500):
        try:
            with socket.create_connection((host, int(port)), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("redis-server never answered")


def scale_workloads(
    server: ServerProcess, settings: Settings, log: Callable[[str], None]
) -> list[Figure]:
    """Run f-j; ``server`` is the benchmark server (for the fan-out)."""
    pages, ms = settings.scale_pages, settings.scale_latency_ms
    log(f"f. {pages} pages under the points budget at {ms:g} ms")
    figures = asyncio.run(workload_budget_listing(settings))
    log(f"g. list + plan {settings.plan_versions:,} versions (fresh process)")
    figures += workload_plan(settings)
    log(f"h. {settings.deletions:,} paced deletions via apply_plan (virtual time)")
    figures += asyncio.run(workload_deletions(settings))
    log(f"i. fan-out over {' and '.join(map(str, settings.scale_owners))} owners")
    figures += workload_fan_out_scale(server, settings)
    log(f"j. {settings.redis_processes} processes on one Redis budget")
    figures += workload_redis(settings)
    return figures
