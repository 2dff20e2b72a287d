"""GitHub Actions: the token mask, annotations, step outputs and the job summary.

Everything here acts only when ``GITHUB_ACTIONS`` is ``true``; elsewhere it does nothing.
Workflow commands (``::add-mask::``, ``::error::``, ``::warning::``) go to stderr, which the
runner reads for commands as it reads stdout, so stdout stays data (``--json``). Outputs go to
the file ``$GITHUB_OUTPUT`` names, as ``name<<DELIMITER`` blocks with a random delimiter, and
the Markdown summary is appended to ``$GITHUB_STEP_SUMMARY``:
https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..images import BrokenImage
from ..retention import RetentionReport
from . import summary
from .errors import describe_failure, redact
from .render import Out

__all__ = [
    "active",
    "command",
    "escape_data",
    "output_block",
    "report_prune",
    "report_validate",
    "step",
    "write_outputs",
]


def active(environ: Mapping[str, str] = os.environ) -> bool:
    """True inside a GitHub Actions job (``GITHUB_ACTIONS=true``)."""
    return environ.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """``text`` as a workflow command's message: ``%``, CR and LF escaped, so it stays one line."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command(out: Out, name: str, message: str) -> None:
    """Write the workflow command ``::name::message`` to stderr."""
    out.stderr.write(f"::{name}::{escape_data(message)}\n")
    out.stderr.flush()


def output_block(name: str, value: str, delimiter: str | None = None) -> str:
    """``name<<DELIMITER``, the value, ``DELIMITER``: one output, safe for any multi-line value."""
    delimiter = delimiter or f"ghadelimiter_{secrets.token_hex(16)}"
    if delimiter in value or delimiter in name:  # cannot happen with a random one; never truncate
        raise ValueError(f"output {name!r} contains its delimiter")
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(environ: Mapping[str, str], values: Mapping[str, str]) -> None:
    """Append ``values`` to the ``$GITHUB_OUTPUT`` file (nothing when it is not set)."""
    path = environ.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.writelines(output_block(name, value) for name, value in values.items())


def _append_summary(environ: Mapping[str, str], markdown: str) -> None:
    path = environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(markdown)


def _default_journal(args: argparse.Namespace, out: Out, environ: Mapping[str, str]) -> None:
    """A prune that deletes journals to ``$RUNNER_TEMP`` unless ``--journal`` names a file."""
    if getattr(args, "journal", "") is not None or args.resume or args.dry_run:
        return
    run = "-".join(environ.get(k, "0") for k in ("GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"))
    folder = Path(environ.get("RUNNER_TEMP") or tempfile.gettempdir())
    args.journal = str(folder / f"aiogh-packages-prune-{run}-{secrets.token_hex(4)}.jsonl")
    out.note(f"journal: {args.journal}")


@contextmanager
def step(
    args: argparse.Namespace, out: Out, token: str | None, environ: Mapping[str, str] = os.environ
) -> Iterator[None]:
    """Run a command as an Actions step: mask the token before any output, annotate a failure."""
    if not active(environ):
        yield
        return
    if token:
        command(out, "add-mask", token)
    if args.command == "prune":
        _default_journal(args, out, environ)
    try:
        yield
    except Exception as exc:
        _, message = describe_failure(exc)
        command(out, "error", redact(message, (token or "",)))
        raise


def report_prune(
    args: argparse.Namespace,
    out: Out,
    owner: str,
    plans: Sequence[tuple[str, RetentionReport]],
    environ: Mapping[str, str] = os.environ,
) -> None:
    """Annotations, step outputs and the job summary of a finished prune (only in Actions)."""
    if not active(environ):
        return
    for name, report in plans:
        for warning in report.plan.warnings:
            command(out, "warning", f"{name}: {warning}")
        for version_id, reason in report.failed:
            command(out, "error", f"{name}: failed to delete version {version_id}: {reason}")
    reports = [r for _, r in plans]
    written = args.journal and not args.dry_run and Path(args.journal).is_file()
    journal = args.journal if written else ""  # "": nothing to upload
    titles = [(f"{args.package_type} package `{name}` ({owner})", r) for name, r in plans]
    _append_summary(environ, summary.prune_summary(titles, dry_run=args.dry_run, journal=journal))
    write_outputs(environ, {
        "planned": str(sum(len(r.plan.to_delete) for r in reports)),
        "deleted": str(sum(len(r.deleted) for r in reports)),
        "retained": str(sum(len(r.retained) for r in reports)),
        "failed": str(sum(len(r.failed) for r in reports)),
        "journal": journal,
        "deleted-ids": "\n".join(str(i) for r in reports for i in r.deleted),
        "failures": "\n".join(f"{i}: {why}" for r in reports for i, why in r.failed),
    })  # fmt: skip


def report_validate(
    package: str,
    out: Out,
    broken: Sequence[BrokenImage],
    environ: Mapping[str, str] = os.environ,
) -> None:
    """Annotations, step outputs and the job summary of ``validate`` (only in Actions)."""
    if not active(environ):
        return
    for image in broken:
        command(out, "error", f"{package}: broken image {', '.join(image.tags)} ({image.digest})")
    rows = [(", ".join(b.tags), b.digest, tuple(b.problems)) for b in broken]
    _append_summary(environ, summary.validate_summary(package, rows))
    write_outputs(environ, {
        "broken": str(len(broken)),
        "broken-tags": "\n".join(t for b in broken for t in b.tags),
    })  # fmt: skip
