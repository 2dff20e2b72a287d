"""README's command-line example runs as written: one server command, then every line in order.

The block is read from README.md. Its server command starts the fake GitHub (on a free port
in place of the README's 8766, so parallel runs do not collide); ``export`` lines set the
environment of the lines after them; every other line runs in ``bash`` with
``aiogh-packages`` on the PATH, in one scratch directory, and must exit 0.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
ROOT = README.parent
SERVER = "python -m aiogh_packages.testing"
README_PORT = "8766"
TIMEOUT_S = 120


def cli_lines() -> list[str]:
    """The command-line section's first ``sh`` block, one command per line (``\\`` joined)."""
    section = README.read_text(encoding="utf-8").split("## Command line", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "README's command-line section has no sh block"
    return [line.strip() for line in block.group(1).replace("\\\n", " ").splitlines() if line]


def free_port() -> str:
    """A loopback port nothing listens on (for the README's server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


@pytest.fixture
def shim(tmp_path: Path) -> Path:
    """A directory whose ``aiogh-packages`` runs this checkout's CLI with this interpreter."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "aiogh-packages"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m aiogh_packages "$@"\n')
    script.chmod(0o755)
    return bin_dir


def start_server(line: str, port: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start README's server line on ``port``; return once it says it is listening."""
    words = shlex.split(line.replace(README_PORT, port))
    assert words[:3] == ["python", "-m", "aiogh_packages.testing"]
    proc = subprocess.Popen([sys.executable, *words[1:]], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert "listening on" in first, first
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # never let the pipe fill
    return proc


@pytest.fixture
def env(shim: Path) -> dict[str, str]:
    """The environment of a new terminal: no GitHub variables, the shim first on the PATH."""
    unset = ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base.update(PATH=f"{shim}{os.pathsep}{base.get('PATH', '')}", NO_COLOR="1",
                PYTHONPATH=str(ROOT))  # fmt: skip
    return base


def test_the_readme_block_is_one_server_command_then_cli_lines() -> None:
    """The block starts its one server, then uses only exports and aiogh-packages."""
    first, *rest = cli_lines()
    assert first.startswith(SERVER) and "--demo-data" in first
    assert all(line.startswith(("export ", "aiogh-packages ")) for line in rest)
    assert any("--journal prune.jsonl --yes" in line for line in rest)
    assert rest[-2] == "aiogh-packages undo --journal prune.jsonl"


@pytest.mark.skipif(shutil.which("bash") is None, reason="runs README's lines with bash")
def test_every_readme_cli_line_runs_in_order(env: dict[str, str], tmp_path: Path) -> None:
    """Each line exits 0 against the README's server; undo restores what prune deleted."""
    port = free_port()
    server_line, *lines = cli_lines()
    proc = start_server(server_line, port, env)
    outputs: dict[str, str] = {}
    try:
        for line in lines:
            line = line.replace(README_PORT, port)
            if line.startswith("export "):
                env.update(w.split("=", 1) for w in shlex.split(line, comments=True)[1:])
                continue
            done = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, text=True,
                                  capture_output=True, timeout=TIMEOUT_S)  # fmt: skip
            assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr}"
            assert "Traceback" not in done.stderr, line
            outputs[line.split()[1]] = done.stdout
        assert "restored 3," in outputs["undo"]
    finally:
        proc.kill()
        proc.communicate()
