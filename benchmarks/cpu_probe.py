"""Workload b in a fresh process: CPU per item of each client over one 50-page listing.

``python -m benchmarks.cpu_probe --base-url URL --mode full [--no-third-party]`` warms each
client up once, times ``cpu_reps`` interleaved listings per client and prints one JSON line:
per client label, the CPU µs per item and wall seconds of every timed listing. The parent
(``workloads.workload_cpu``) runs several of these and takes the median of their medians.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json

from .workloads import MODES, measure_cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="workload b in a fresh process")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--mode", choices=sorted(MODES), default="full")
    parser.add_argument("--no-third-party", action="store_true")
    args = parser.parse_args(argv)
    settings = MODES[args.mode]
    if args.no_third_party:
        settings = dataclasses.replace(settings, third_party=False)
    print(json.dumps(asyncio.run(measure_cpu(args.base_url, settings))), flush=True)


if __name__ == "__main__":
    main()
