"""``python -m benchmarks [--quick | --smoke] [--output DIR] [--no-third-party]``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from .report import checks, render
from .workloads import MODES, run_all

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Benchmark aiogh_packages (see README.md)."
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="under a minute: fewer reps/owners")
    size.add_argument(
        "--smoke", action="store_true", help="tiny sizes, 0 ms, no third-party: checks it runs"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="directory for the Markdown and JSON results"
    )
    parser.add_argument(
        "--no-third-party", action="store_true", help="skip githubkit and gidgethub"
    )
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "smoke" if args.smoke else "full"
    settings = MODES[mode]
    if args.no_third_party:
        settings = dataclasses.replace(settings, third_party=False)
    command = "python -m benchmarks" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:])
    )
    started = time.perf_counter()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    figures, notes = run_all(settings, log)
    elapsed = time.perf_counter() - started
    markdown = render(figures, settings, command, elapsed, stamp, notes)
    print(markdown)
    name = "latest" if mode == "full" else f"latest-{mode}"
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"{name}.md").write_text(markdown, encoding="utf-8")
    payload = {
        "mode": mode,
        "elapsed_s": elapsed,
        "figures": [dataclasses.asdict(f) for f in figures],
        "checks": [dataclasses.asdict(c) for c in checks(figures)],
    }
    (args.output / f"{name}.json").write_text(json.dumps(payload, indent=1, default=str))
    log(f"wrote {args.output / (name + '.md')}")
    voids = [f for f in figures if f.void is not None]
    for fig in voids:
        log(f"VOID: {fig.workload} {fig.client}: {fig.void}")
    return 1 if voids else 0


if __name__ == "__main__":
    sys.exit(main())
