"""The Markdown job summary of ``prune`` and ``validate`` for GitHub Actions (pure text)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from ..retention import RetentionReport

__all__ = ["COLLAPSE_ROWS", "prune_summary", "table", "validate_summary"]

COLLAPSE_ROWS = 10  # a table longer than this is folded into <details>


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A titled Markdown table; inside ``<details>`` when it has more than COLLAPSE_ROWS rows."""
    if not rows:
        return [f"**{title} (0)**: none", ""]
    body = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows),
    ]
    heading = f"{title} ({len(rows)})"
    if len(rows) > COLLAPSE_ROWS:
        return [f"<details><summary>{heading}</summary>", "", *body, "", "</details>", ""]
    return [f"**{heading}**", "", *body, ""]


def _rule_rows(report: RetentionReport) -> list[tuple[str, str, int]]:
    counts = Counter((str(item.decision), item.rule) for item in report.plan.items)
    return [(decision, rule, n) for (decision, rule), n in sorted(counts.items())]


def _package(title: str, report: RetentionReport) -> list[str]:
    names = {item.version.id: item.version for item in report.plan.items}

    def described(version_id: int) -> tuple[object, ...]:
        version = names.get(version_id)
        tags = ", ".join(version.tags) if version is not None else ""
        return version_id, version.name if version is not None else "", tags or "-"

    lines = [f"### {title}", ""]
    lines += table("Plan by rule", ("decision", "rule", "versions"), _rule_rows(report))
    lines += table("Deleted", ("id", "name", "tags"), [described(i) for i in report.deleted])
    lines += table("Retained", ("id", "reason"), report.retained)
    lines += table("Failed", ("id", "reason"), report.failed)
    if report.stopped:
        lines += [f"Stopped: {_cell(report.stopped)}", ""]
    return lines


def prune_summary(
    packages: Iterable[tuple[str, RetentionReport]], *, dry_run: bool, journal: str | None
) -> str:
    """The summary of one prune run: a headline, then per package the plan and outcomes."""
    reports = list(packages)
    planned = sum(len(r.plan.to_delete) for _, r in reports)
    deleted = sum(len(r.deleted) for _, r in reports)
    mode = "dry run: nothing was deleted" if dry_run else f"deleted {deleted} of {planned}"
    lines = ["## aiogh-packages prune", "", f"{planned} version(s) planned for deletion; {mode}."]
    if journal and not dry_run:
        lines.append(f"Journal: `{journal}` (undo with `aiogh-packages undo --journal FILE`).")
    lines.append("")
    for title, report in reports:
        lines += _package(title, report)
    return "\n".join(lines) + "\n"


def validate_summary(package: str, broken: Sequence[tuple[str, str, Sequence[str]]]) -> str:
    """The summary of ``validate``: whole, or a table of (tags, digest, problems)."""
    lines = ["## aiogh-packages validate", ""]
    if not broken:
        return "\n".join([*lines, f"`{package}`: every tagged image is whole.", ""]) + "\n"
    rows = [(tags, digest, "; ".join(problems)) for tags, digest, problems in broken]
    lines += table(f"Broken images of `{package}`", ("tags", "digest", "problems"), rows)
    return "\n".join(lines) + "\n"
