"""The targets, the Markdown table, and the machine description."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .workloads import Figure, Settings

__all__ = ["Check", "checks", "machine_info", "render"]

ROOT = Path(__file__).resolve().parents[1]
MEMORY_DRIFT_MB = 3.0


@dataclass
class Check:
    """One target of the issue: a measured ratio (or figure) against its goal."""

    target: str
    measured: str
    value: float | None
    goal: str
    status: str  # PASS, MISS, VOID, SKIP


def _find(figures: list[Figure], workload: str, client: str) -> Figure | None:
    return next((f for f in figures if f.workload == workload and f.client == client), None)


def _ratio_check(
    target: str,
    label: str,
    top: Figure | None,
    bottom: Figure | None,
    goal: float,
    at_most: bool,
) -> Check:
    goal_text = f"{'≤' if at_most else '≥'} {goal:g}x"
    for fig in (top, bottom):
        if fig is None or fig.skipped is not None:
            why = "not run" if fig is None else fig.skipped
            return Check(target, f"{label}: {why}", None, goal_text, "SKIP")
        if not fig.usable:
            return Check(target, f"{label}: {fig.client} VOID", None, goal_text, "VOID")
    assert top is not None
    assert bottom is not None
    if not top.value or not bottom.value:
        return Check(target, f"{label}: a figure is 0", None, goal_text, "SKIP")
    ratio = top.value / bottom.value
    passed = ratio <= goal if at_most else ratio >= goal
    return Check(target, f"{label} = {ratio:.2f}x", ratio, goal_text, "PASS" if passed else "MISS")


def _limit_check(target: str, fig: Figure | None, goal: float, at_most: bool = True) -> Check:
    """A figure (not a ratio) against its goal, e.g. MB of memory or a ratio computed already."""
    goal_text = f"{'≤' if at_most else '≥'} {goal:g} {fig.unit if fig else ''}".rstrip()
    if fig is None or fig.skipped is not None:
        return Check(
            target, "not run" if fig is None else str(fig.skipped), None, goal_text, "SKIP"
        )
    if not fig.usable or fig.value is None:
        return Check(target, f"{fig.client} VOID", None, goal_text, "VOID")
    passed = fig.value <= goal if at_most else fig.value >= goal
    return Check(target, f"{fig.value:.3g} {fig.unit}", fig.value, goal_text, _ok(passed))


def _ok(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def checks(figures: list[Figure]) -> list[Check]:
    """The issue's targets evaluated on ``figures`` (medians), then the older sanity targets."""

    def f(workload: str, client: str) -> Figure | None:
        return _find(figures, workload, client)

    floor_b, sdk_c = f("b", "floor sequential"), f("c", "aiogh_packages")
    out = [
        _ratio_check("50 pages at 0 ms, SDK defaults: CPU per item", "SDK ÷ floor",
                     f("b", "aiogh_packages"), floor_b, 1.2, True),
        _ratio_check("50 pages at 0 ms, max_concurrency=32: CPU per item", "SDK ÷ floor",
                     f("b", "aiogh_packages (max_concurrency=32)"), floor_b, 1.3, True),
        _ratio_check("50 pages at 20 ms, SDK defaults", "SDK ÷ floor parallel",
                     sdk_c, f("c", "floor parallel (rel=last)"), 1.2, True),
        _ratio_check("fan-out 500 owners x 2 pages at 20 ms, concurrency 32", "SDK ÷ ideal",
                     f("d", "aiogh_packages"), f("d", "ideal"), 1.25, True),
    ]  # fmt: skip
    out += _memory_checks([fig for fig in figures if fig.workload == "e"])
    out += [check for fig in figures for check in _scale_checks(fig)]
    out += [
        _ratio_check("(older) CPU per item ≥ 5x less than githubkit", "githubkit ÷ SDK",
                     f("b", "githubkit"), f("b", "aiogh_packages"), 5, False),
        _ratio_check("(older) 50 pages at 20 ms ≥ 5x faster than sequential following",
                     "floor sequential ÷ SDK", f("c", "floor sequential"), sdk_c, 5, False),
    ]  # fmt: skip
    raw, sdk_b = f("server", "raw aiohttp GET loop, no decode"), f("b", "aiogh_packages")
    if raw is not None and raw.usable and sdk_b is not None and sdk_b.usable:
        assert raw.value is not None
        ratio = raw.value / float(sdk_b.extra["pages_per_s"])
        out.append(
            Check("(sanity) server is not the bottleneck",
                  f"raw loop ÷ SDK pages/s at 0 ms = {ratio:.1f}x", ratio, "≥ 2x", _ok(ratio >= 2))
        )  # fmt: skip
    return out


def _memory_checks(memory: list[Figure]) -> list[Check]:
    if len(memory) != 2 or not all(fig.usable for fig in memory):
        return [Check("streaming memory, defaults", "memory probe VOID", None, "", "VOID")]
    small, large = memory
    assert small.value is not None
    assert large.value is not None
    pages = large.client.split(", ")[-1]
    drift = large.value - small.value
    return [
        Check(f"streaming {pages}, defaults: peak growth", f"{large.value:.1f} MB",
              large.value, "≤ 3 MB", _ok(large.value <= 3)),
        Check("streaming memory flat in page count",
              f"{pages} - {small.client.split(', ')[-1]} = {drift:+.1f} MB",
              drift, f"< {MEMORY_DRIFT_MB:g} MB", _ok(drift < MEMORY_DRIFT_MB)),
    ]  # fmt: skip


def _scale_checks(fig: Figure) -> list[Check]:
    """Targets a scale workload states on its own figure as ``extra["targets"]``."""
    out = []
    for target, goal, at_most in fig.extra.get("targets", []):
        out.append(_limit_check(f"{target} ({fig.client})", fig, goal, at_most))
    for target, measured, passed in fig.extra.get("invariants", []):
        out.append(Check(f"{target} ({fig.client})", measured, None, "always", _ok(passed)))
    return out


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            timeout=5, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() + " (working tree may differ)"


def machine_info() -> dict[str, str]:
    """Platform, CPU, Python and library versions."""
    dists = ["aiogh-packages", "aiohttp", "msgspec", "backoff", "githubkit", "pydantic"]
    dists += ["httpx", "gidgethub"]
    return {
        "platform": platform.platform(),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} logical CPUs",
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "libraries": ", ".join(f"{d} {_version(d)}" for d in dists),
        "library commit": _git_commit(),
    }


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value < 1 else f"{value:.2f}"


_REFERENCE = {
    "a": "aiogh_packages",
    "b": "aiogh_packages",
    "c": "aiogh_packages",
    "d": "ideal",
}
_TITLES = {
    "a": "a. decode one 100-item page",
    "b": "b. 50-page listing at 0 ms",
    "c": "c. 50-page listing at 20 ms",
    "d": "d. fan-out",
    "f": "f. 1,330 pages, points budget",
    "g": "g. prune plan",
    "h": "h. paced deletions",
    "i": "i. fan-out at scale",
    "j": "j. shared Redis budget",
    "e": "e. streaming memory",
    "server": "server headroom",
}


def render(
    figures: list[Figure],
    settings: Settings,
    command: str,
    elapsed_s: float,
    stamp: str,
    notes: list[str] | None = None,
) -> str:
    """The whole report as Markdown."""
    lines = [f"# aiogh_packages benchmarks ({settings.mode} mode)", ""]
    lines += [f"`{command}` — {stamp}, {elapsed_s:.0f} s in all.", ""]
    lines += ["| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine_info().items()]
    lines += ["", "## Targets", "", "| target | measured | goal | result |", "|---|---|---|---|"]
    for check in checks(figures):
        lines.append(f"| {check.target} | {check.measured} | {check.goal} | **{check.status}** |")
    lines += ["", "## Figures", ""]
    lines += ["| workload | client | figure | ratio | notes |", "|---|---|---|---|---|"]
    for fig in figures:
        ref = _find(figures, fig.workload, _REFERENCE.get(fig.workload, ""))
        ref_name = "ideal" if fig.workload == "d" else "SDK"
        if fig.skipped is not None:
            shown, ratio, note = "—", "", fig.skipped
        elif fig.void is not None or fig.value is None:
            shown, ratio, note = "**VOID**", "", fig.void or "no result"
        else:
            shown = f"{_number(fig.value)} {fig.unit}"
            ratio = ""
            if ref is not None and ref is not fig and ref.usable and ref.value:
                ratio = f"{fig.value / ref.value:.2f}x {ref_name}"
            note = fig.note
            if "q1" in fig.extra:
                x = fig.extra
                note = (note + "; " if note else "") + (
                    f"IQR {_number(x['q1'])} to {_number(x['q3'])}, best {_number(x['best'])}"
                )
        title = _TITLES.get(fig.workload, fig.workload)
        lines.append(f"| {title} | {fig.client} | {shown} | {ratio} | {note} |")
    lines += ["", "## How this run was made", ""]
    lines += _method_notes(settings) + list(notes or [])
    return "\n".join(lines) + "\n"


def _method_notes(s: Settings) -> list[str]:
    notes = [
        f"- Every timed figure is the **median** of its repetitions, with the interquartile "
        f"range and the best in the notes; ratios and targets use medians: decode "
        f"{s.decode_reps} batches; 0 ms listing {s.cpu_reps} runs in each of {s.cpu_processes} "
        f"fresh processes (the figure is the median of the {s.cpu_processes} process medians, "
        f"its IQR theirs); {s.latency_ms:g} ms listing "
        f"{s.latency_reps} runs; fan-out {s.fan_reps} runs; each after one untimed warm-up, "
        "repetitions interleaved across clients.",
        "- Every client must return every item: item count and an id checksum (sum and sum of "
        "squares) are compared with the expected values; any difference makes the figure VOID.",
        "- Server: raw asyncio protocol in a separate process, pre-rendered GitHub-shaped pages "
        "(100 packages, ~127 kB), `Link` with owner-by-id URLs, `x-ratelimit-*` headers; "
        "latency is an event-loop timer in the server.",
        "- CPU figures are `time.process_time()` of the client process only.",
        "- Single-listing workloads (b, c, e) run the SDK with its **defaults** (no argument "
        "but token and base_url); tuned rows and fan-out say their configuration beside each "
        "figure.",
    ]
    if s.mode == "quick":
        notes.append(
            f"- Quick mode: fan-out uses {s.fan_owners} owners (full: 500), fewer repetitions; "
            "the ideal time is computed for the owners used."
        )
    if s.mode == "smoke":
        notes.append(
            "- Smoke mode: tiny sizes, one repetition, 0 ms latency, no third-party clients. "
            "Its figures check that the suite runs; they are not measurements."
        )
    return notes
