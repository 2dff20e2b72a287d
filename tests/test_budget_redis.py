"""RedisRateBudget against a real redis-server that the fixture starts on a free loopback port."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from aiogh_packages.budget import LocalRateBudget, RateBudget, RedisRateBudget

pytest.importorskip("redis.asyncio", reason="redis-py is not installed: pip install -e '.[redis]'")

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not on PATH (apt-get install -y redis-server); "
    "RedisRateBudget is tested only against a real server",
)

TOKEN = "ghp_redisbudget_DO_NOT_LEAK_987654"
ROOT = Path(__file__).resolve().parents[1]

# One OS process sharing the budget: argv = url, prefix, start (epoch), scale, end (virtual s).
# Its clock is the real clock sped up `scale` times, the same for every worker, and it prints
# one JSON line per granted spend: the virtual `now` it passed in.
WORKER = """
import asyncio, json, sys, time
from aiogh_packages.budget import RedisRateBudget

async def main(url, prefix, scale, end):
    budget = RedisRateBudget.from_url(url, token=sys.argv[5], prefix=prefix)
    await budget.paused_until()  # connected: report ready, then wait for the common start
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    while time.time() < start:
        await asyncio.sleep(0.005)
    try:
        while (now := (time.time() - start) * scale) < end:
            wait = await budget.reserve("DELETE /orgs/{org}/packages", 5, now)
            if wait == 0.0:
                print(json.dumps(now), flush=True)
            else:
                await asyncio.sleep(min(wait / scale, 0.01))
    finally:
        await budget.aclose()

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
"""


def _start_together(workers: list[subprocess.Popen[str]]) -> str:
    """Wait until every worker says it is connected; the common start time to send them.

    A fixed start time would race a slow interpreter start (a loaded CI machine): a worker
    that arrives after the virtual clock ran out would spend nothing and prove nothing.
    """
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    return f"{time.time() + 0.05!r}\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_ping(port: int, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(500):
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"redis-server on port {port} never answered PING")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on loopback: no persistence, stopped after the module."""
    assert REDIS_SERVER is not None
    port = _free_port()
    cmd = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_ping(port, proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
async def budget(redis_url: str, request: pytest.FixtureRequest) -> AsyncIterator[RedisRateBudget]:
    """A budget in a namespace of its own (the test's name as prefix)."""
    shared = RedisRateBudget.from_url(redis_url, token=TOKEN, prefix=request.node.name)
    try:
        yield shared
    finally:
        await shared.aclose()


async def test_redis_budget_is_a_rate_budget(budget: RedisRateBudget) -> None:
    """RedisRateBudget implements the RateBudget protocol."""
    assert isinstance(budget, RateBudget)


async def test_redis_budget_spends_until_full_then_says_how_long_to_wait(
    budget: RedisRateBudget,
) -> None:
    """900 points fit in a minute; the next DELETE waits until the oldest spend expires."""
    for i in range(180):
        assert await budget.reserve("DELETE /x", 5, 1000.0 + i * 0.1) == 0.0
    wait = await budget.reserve("DELETE /x", 5, 1018.0)
    assert 42.0 < wait <= 42.01
    assert await budget.reserve("GET /y", 1, 1018.0) == 0.0  # another endpoint is unaffected


async def test_redis_budget_answers_like_the_local_budget(budget: RedisRateBudget) -> None:
    """On a seeded random sequence of spends the Redis and local budgets agree on every answer."""
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    local = LocalRateBudget(900)
    now = 5_000.0
    for _ in range(1500):
        now += rng.choice([0.0, 0.01, 0.2, 1.5, 7.0])
        key, cost = rng.choice([("GET /a", 1), ("DELETE /a", 5), ("GET /b", 1)])
        want = await local.reserve(key, cost, now)
        assert await budget.reserve(key, cost, now) == pytest.approx(want, abs=1e-9), seed


async def test_redis_budget_pause_is_seen_by_another_budget_on_the_same_token(
    budget: RedisRateBudget, redis_url: str, request: pytest.FixtureRequest
) -> None:
    """A pause recorded through one budget is read by another; an earlier one is ignored."""
    other = RedisRateBudget.from_url(redis_url, token=TOKEN, prefix=request.node.name)
    try:
        assert await other.paused_until() == 0.0
        await budget.pause_until(2000.5)
        await other.pause_until(1500.0)
        assert await other.paused_until() == 2000.5
        assert await budget.paused_until() == 2000.5
    finally:
        await other.aclose()


async def test_redis_budget_of_another_token_is_separate(
    budget: RedisRateBudget, redis_url: str, request: pytest.FixtureRequest
) -> None:
    """Another token's budget has its own window and pause."""
    other = RedisRateBudget.from_url(redis_url, token="ghp_other", prefix=request.node.name)
    try:
        await budget.pause_until(3000.0)
        for i in range(180):
            await budget.reserve("DELETE /x", 5, 100.0 + i)
        assert await other.paused_until() == 0.0
        assert await other.reserve("DELETE /x", 5, 180.0) == 0.0
    finally:
        await other.aclose()


def test_redis_pause_is_seen_by_another_process(redis_url: str) -> None:
    """A pause one OS process records is read by a second process on the same token."""
    code = (
        "import asyncio, sys\n"
        "from aiogh_packages.budget import RedisRateBudget\n"
        "async def main():\n"
        "    b = RedisRateBudget.from_url(sys.argv[1], token=sys.argv[2], prefix='xproc-pause')\n"
        "    if sys.argv[3] == 'set':\n"
        "        await b.pause_until(4242.25)\n"
        "    print(await b.paused_until())\n"
        "    await b.aclose()\n"
        "asyncio.run(main())\n"
    )
    run = [sys.executable, "-c", code, redis_url, TOKEN]
    subprocess.run([*run, "set"], cwd=ROOT, check=True, capture_output=True)
    seen = subprocess.run([*run, "get"], cwd=ROOT, check=True, capture_output=True, text=True)
    assert float(seen.stdout) == 4242.25


def test_processes_sharing_a_budget_never_exceed_it_in_any_minute(redis_url: str) -> None:
    """Four processes spending from one budget stay under 900 points in every 60 s together."""
    scale, end = 300.0, 240.0  # a virtual minute lasts 0.2 s; four virtual minutes in all
    args = [redis_url, "xproc-window", repr(scale), repr(end), TOKEN]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, *args],
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    go = _start_together(workers)
    outputs = [w.communicate(go, timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0]
    grants = sorted(json.loads(line) for out in outputs for line in out.split())
    assert grants, "no process was granted anything"
    worst = max(5 * sum(1 for g in grants if t <= g < t + 60.0) for t in grants)
    assert worst <= 900


async def test_redis_budget_stores_no_token_in_keys_or_values(
    budget: RedisRateBudget, redis_url: str
) -> None:
    """After spends and a pause, no Redis key or value contains the token; repr neither."""
    import redis.asyncio

    await budget.reserve("GET /users/{username}/packages", 1, 10.0)
    await budget.pause_until(99.0)
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        seen: list[bytes] = []
        async for key in client.scan_iter(match="*"):
            seen.append(key)
            kind = await client.type(key)
            if kind == b"zset":
                seen += await client.zrange(key, 0, -1)
            elif kind == b"string":
                seen.append(await client.get(key) or b"")
    finally:
        await client.aclose()
    assert any(budget.fingerprint.encode() in key for key in seen)
    assert not any(TOKEN.encode() in item for item in seen)
    assert TOKEN not in repr(budget)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"points_per_minute": 4}, ValueError),
        ({"points_per_minute": "900"}, TypeError),
        ({"prefix": ""}, ValueError),
        ({"token": ""}, TypeError),
    ],
)
def test_redis_budget_refuses_bad_configuration(
    redis_url: str, kwargs: dict[str, object], error: type[Exception]
) -> None:
    """Bad points_per_minute, prefix or token raise before any connection is used."""
    options: dict[str, object] = {"token": TOKEN, **kwargs}
    with pytest.raises(error):
        RedisRateBudget.from_url(redis_url, **options)  # type: ignore[arg-type]


def test_redis_budget_refuses_a_url_that_is_not_redis() -> None:
    """from_url names the bad URL and the accepted form."""
    with pytest.raises(ValueError, match="redis://HOST:PORT/DB"):
        RedisRateBudget.from_url("http://127.0.0.1:6379", token=TOKEN)


async def test_redis_budget_refuses_a_cost_above_its_budget(budget: RedisRateBudget) -> None:
    """A spend that could never fit raises ValueError naming the accepted range."""
    with pytest.raises(ValueError, match=r"1\.\.900"):
        await budget.reserve("DELETE /x", 901, 0.0)


async def test_cli_shared_budget_spends_from_redis(redis_url: str) -> None:
    """aiogh-packages --shared-budget URL spends its GETs from the Redis budget of its token."""
    import redis.asyncio

    from aiogh_packages.budget import token_fingerprint
    from aiogh_packages.testing import FakeGitHub, sample_store

    token = "ghp_sharedBudgetCLI_do_not_leak_5521"
    async with FakeGitHub(store=sample_store()) as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aiogh_packages", "packages", "--user", "octocat",
            "--type", "container", "--base-url", server.base_url, "--token", token,
            "--shared-budget", redis_url, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    assert token not in (out + err).decode()
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        keys = [key.decode() async for key in client.scan_iter(match="*")]
    finally:
        await client.aclose()
    assert any(token_fingerprint(token) in key and ":points:" in key for key in keys)
    assert not any(token in key for key in keys)
