"""Output: tables, JSON, styles and progress, each aware of whether it writes to a terminal."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TextIO

import msgspec

from .._sansio.ratelimit import RateLimit
from ..models import Package, PackageVersion

__all__ = [
    "Out",
    "Progress",
    "Style",
    "TableStream",
    "age",
    "package_row",
    "rate_limit_line",
    "table",
    "timestamp",
    "version_row",
]

PACKAGE_HEADER = ("ID", "NAME", "OWNER", "VISIBILITY", "CREATED")
VERSION_HEADER = ("ID", "NAME", "TAGS", "CREATED", "UPDATED")
_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


@dataclass(frozen=True)
class Style:
    """ANSI styling, enabled only for a terminal (and not with ``NO_COLOR`` or ``TERM=dumb``)."""

    enabled: bool

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        """The style for ``stream``: on when it is a colour-capable terminal."""
        plain = "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb"
        return cls(enabled=_isatty(stream) and not plain)

    def __call__(self, text: str, *styles: str) -> str:
        """``text`` wrapped in the given styles (bold, dim, red, green, yellow, cyan)."""
        if not self.enabled or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Out:
    """Where results go (stdout) and where messages go (stderr), with their styles."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)

    def __post_init__(self) -> None:
        self.style = Style.for_stream(self.stdout)
        self.err_style = Style.for_stream(self.stderr)

    @property
    def interactive(self) -> bool:
        """True when stdin is a terminal, so a question can be asked."""
        return _isatty(sys.stdin)

    @property
    def stderr_tty(self) -> bool:
        """True when progress may be drawn on stderr."""
        return _isatty(self.stderr)

    def line(self, text: str = "") -> None:
        """Print one line of results."""
        self.stdout.write(text + "\n")

    def lines(self, texts: Iterable[str]) -> None:
        """Print several lines of results."""
        for text in texts:
            self.line(text)

    def json(self, value: object) -> None:
        """Print ``value`` as one JSON document (msgspec encodes Structs, dates, enums)."""
        self.stdout.write(msgspec.json.encode(value).decode() + "\n")

    def jsonl(self, values: Iterable[object]) -> None:
        """Print one JSON object per line, then flush (called once per page)."""
        encode = msgspec.json.encode
        self.stdout.write("".join(encode(v).decode() + "\n" for v in values))
        self.stdout.flush()

    def note(self, text: str) -> None:
        """A message for the human, on stderr."""
        self.stderr.write(text + "\n")

    def warn(self, text: str) -> None:
        """A warning on stderr."""
        self.note(self.err_style("warning:", "yellow", "bold") + " " + text)


class Progress:
    """A one-line progress display on stderr, drawn only when stderr is a terminal."""

    def __init__(self, out: Out, *, interval_s: float = 0.08) -> None:
        self._stream = out.stderr
        self._enabled = out.stderr_tty
        self._interval = interval_s
        self._last = 0.0
        self._shown = False

    def update(self, text: str, *, force: bool = False) -> None:
        """Redraw the line with ``text`` (at most every ``interval_s`` unless ``force``)."""
        if not self._enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        self._stream.write("\r\x1b[2K" + text)
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the line, so that what follows starts clean."""
        if self._shown:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
            self._shown = False


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    style: Style,
    *,
    paint: dict[str, str] | None = None,
) -> list[str]:
    """Rows as aligned text columns under a bold header; ``paint`` colours cells by value."""
    body = [list(r) for r in rows]
    widths = _widths(header, body)
    return [_head(header, widths, style), *(_row(r, widths, style, paint) for r in body)]


def _widths(header: Sequence[str], body: Iterable[Sequence[str]]) -> list[int]:
    widths = [len(h) for h in header]
    for row in body:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    return widths


def _head(header: Sequence[str], widths: Sequence[int], style: Style) -> str:
    return style(
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(), "bold"
    )


def _row(
    row: Sequence[str], widths: Sequence[int], style: Style, paint: dict[str, str] | None
) -> str:
    cells = [_paint(cell.ljust(w), cell, style, paint) for cell, w in zip(row, widths, strict=True)]
    return "  ".join(cells).rstrip()


class TableStream:
    """A table printed as its rows arrive, so an interrupted listing still shows them.

    Column widths come from the header, ``min_widths`` and the first batch of rows; a
    longer cell later only pushes its own line out of line.
    """

    def __init__(self, out: Out, header: Sequence[str], *, min_widths: Sequence[int] = ()) -> None:
        self._out = out
        self._header = header
        self._min = list(min_widths) or [0] * len(header)
        self._widths: list[int] | None = None
        self.count = 0

    def add(self, rows: Iterable[Sequence[str]]) -> None:
        """Print ``rows`` (the header first, sized by them, if none was printed yet)."""
        batch = [list(r) for r in rows]
        if not batch:
            return
        if self._widths is None:
            self._start(batch)
        assert self._widths is not None
        self._out.lines(_row(r, self._widths, self._out.style, None) for r in batch)
        self._out.stdout.flush()
        self.count += len(batch)

    def close(self) -> None:
        """Print the header if no row came (an empty table still has its columns)."""
        if self._widths is None:
            self._start([])

    def _start(self, batch: list[list[str]]) -> None:
        widths = _widths(self._header, batch)
        self._widths = [max(w, m) for w, m in zip(widths, self._min, strict=True)]
        self._out.line(_head(self._header, self._widths, self._out.style))


def _paint(padded: str, cell: str, style: Style, paint: dict[str, str] | None) -> str:
    colour = paint.get(cell) if paint else None
    return style(padded, colour) if colour else padded


def timestamp(moment: datetime | None) -> str:
    """ISO 8601 UTC with a ``Z``, e.g. ``2020-05-19T22:19:11Z``; ``-`` for None."""
    if moment is None:
        return "-"
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def age(delta: timedelta) -> str:
    """A compact age: ``412d``, ``5h``, ``12m``."""
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if abs(seconds) >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def package_row(pkg: Package, owner: str | None = None) -> tuple[str, ...]:
    """One package-table row: ID, NAME, OWNER, VISIBILITY, CREATED."""
    login = owner or (pkg.owner.login if pkg.owner else "-")
    return str(pkg.id), pkg.name, login, pkg.visibility, timestamp(pkg.created_at)


def version_row(version: PackageVersion) -> tuple[str, ...]:
    """One version-table row: ID, NAME, TAGS, CREATED, UPDATED."""
    tags = ",".join(version.tags) or "-"
    created, updated = timestamp(version.created_at), timestamp(version.updated_at)
    return str(version.id), version.name, tags, created, updated


def rate_limit_line(limit: RateLimit | None, now: float | None = None) -> str:
    """``4990/5000 requests left (core), resets 2025-06-01T12:00:00Z (in 59m)``."""
    if limit is None:
        return "not reported"
    left = age(timedelta(seconds=limit.seconds_until_reset(time.time() if now is None else now)))
    return (
        f"{limit.remaining}/{limit.limit} requests left ({limit.resource}), "
        f"resets {timestamp(limit.reset_at)} (in {left})"
    )
