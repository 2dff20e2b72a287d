"""The benchmark suite runs end to end in its tiny mode (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_suite_smoke_mode_completes_with_every_figure_valid(tmp_path: Path) -> None:
    """`python -m benchmarks --smoke` runs every workload, voids nothing and writes the table."""
    proc = subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", "-m", "benchmarks", "--smoke",
         "--output", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "Unclosed" not in proc.stderr, proc.stderr[-3000:]

    results = json.loads((tmp_path / "latest-smoke.json").read_text())
    figures = results["figures"]
    assert {f["workload"] for f in figures} >= {
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
        "h",
        "i",
        "server",
    }
    for fig in figures:
        assert fig["void"] is None, fig
        if fig["workload"] == "j" and fig["skipped"]:  # redis-server or redis-py missing
            continue
        assert fig["skipped"] is None, fig  # smoke mode runs no third-party client
        assert fig["value"] is not None, fig
    assert all(c["status"] != "VOID" for c in results["checks"]), results["checks"]

    table = (tmp_path / "latest-smoke.md").read_text()
    assert "## Targets" in table and "## Figures" in table and "**VOID**" not in table
    assert "| workload | client | figure | ratio | notes |" in table
    assert table in proc.stdout
