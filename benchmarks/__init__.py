"""Benchmarks of aiogh_packages against a hand-written floor, githubkit and gidgethub.

Run ``python -m benchmarks --quick`` (under a minute) or ``python -m benchmarks`` (full);
see ``benchmarks/README.md``.
"""
