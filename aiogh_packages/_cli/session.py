"""What every command needs: the token, a configured client, logging and confirmation."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from typing import TextIO
from urllib.parse import urlsplit

from ..budget import RedisRateBudget
from ..client import DEFAULT_BASE_URL, PackagesClient
from ..events import RetryEvent, RetryHook
from ..owner import Owner
from .errors import Refused, TokenProblem, UsageError
from .render import Out

__all__ = [
    "Owner",
    "aclose",
    "check_state_option",
    "confirm",
    "configure_logging",
    "is_local",
    "make_client",
    "note_if_unauthenticated",
    "owner_of",
    "resolve_token",
    "resolve_token_source",
    "retry_notice",
]

TOKEN_SOURCES = ("--token", "GITHUB_TOKEN", "GH_TOKEN", "gh auth token")
GH_TIMEOUT_S = 10.0

_HANDLER = "aiogh-packages-cli"
_NO_TOKEN = (
    "no token for {host}: pass --token TOKEN, set GITHUB_TOKEN or GH_TOKEN, or log in with "
    "'gh auth login' (a personal access token (classic) with read:packages; delete:packages "
    "to delete)"
)


def owner_of(args: argparse.Namespace) -> Owner:
    """The owner chosen with ``--user``, ``--org`` or ``--me``."""
    try:
        if args.user is not None:
            return Owner.user(args.user)
        if args.org is not None:
            return Owner.org(args.org)
    except (TypeError, ValueError) as exc:
        flag = "--user" if args.user is not None else "--org"
        raise UsageError(f"{flag} {exc}") from None
    return Owner.authenticated_user()


def resolve_token(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> str | None:
    """The token from the first of :data:`TOKEN_SOURCES` that has one; blanks count as unset."""
    return resolve_token_source(args, environ)[0]


def resolve_token_source(
    args: argparse.Namespace, environ: Mapping[str, str] = os.environ
) -> tuple[str | None, str | None]:
    """``(token, source)``: ``--token``, ``$GITHUB_TOKEN``, ``$GH_TOKEN``, then ``gh auth token``.

    The source is one of :data:`TOKEN_SOURCES` (None with no token); it is shown, the token never.
    """
    given = (args.token, environ.get("GITHUB_TOKEN"), environ.get("GH_TOKEN"))
    for source, candidate in zip(TOKEN_SOURCES, given, strict=False):
        if candidate and candidate.strip():
            return str(candidate).strip(), source
    token = gh_auth_token(args.base_url, environ)
    return (token, TOKEN_SOURCES[3]) if token else (None, None)


def gh_auth_token(
    base_url: str, environ: Mapping[str, str] = os.environ, *, timeout_s: float = GH_TIMEOUT_S
) -> str | None:
    """The token of a logged-in ``gh`` CLI for ``base_url``'s host; None without one.

    Runs ``gh auth token`` (``--hostname`` for GitHub Enterprise Server) for at most
    ``timeout_s``; a missing, hung or logged-out ``gh`` gives None.
    """
    gh = shutil.which("gh", path=environ.get("PATH"))
    if gh is None:
        return None
    host = urlsplit(base_url).hostname
    words = [] if base_url == DEFAULT_BASE_URL or not host else ["--hostname", host]
    try:
        done = subprocess.run(
            [gh, "auth", "token", *words], capture_output=True, text=True, timeout=timeout_s,
            env=dict(environ), stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    token = done.stdout.strip()
    return token if done.returncode == 0 and token and token.isprintable() else None


def is_local(base_url: str) -> bool:
    """True for plain-http or loopback API roots (test servers), where no token is needed."""
    parts = urlsplit(base_url)
    if parts.scheme == "http":
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_client(args: argparse.Namespace, token: str | None) -> PackagesClient:
    """A client configured from the shared options.

    Raises:
        TokenProblem: no token while ``--base-url`` is a real host (nothing is sent).
        ValueError: an option out of range (the library names it).
    """
    if token is None and not is_local(args.base_url):
        host = urlsplit(args.base_url).hostname or args.base_url
        raise TokenProblem(_NO_TOKEN.format(host=host))
    budget = _shared_budget(getattr(args, "shared_budget", None), token)
    client = _CLIClient(
        token=token,
        base_url=args.base_url,
        max_concurrency=args.concurrency,
        max_wait=args.max_wait,
        max_tries=args.max_tries,
        timeout=args.timeout,
        write_interval=getattr(args, "write_interval", 1.0),  # read-only commands lack it
        on_retry=retry_notice(sys.stderr, args.max_tries) if args.verbose == 0 else None,
        rate_budget=budget,
    )
    client.shared_budget = budget
    return client


class _CLIClient(PackagesClient):
    """The CLI's client: it also closes the ``--shared-budget`` connection it was made with."""

    shared_budget: RedisRateBudget | None = None

    async def aclose(self) -> None:
        """Close the session, then the shared budget's Redis connection."""
        await super().aclose()
        if self.shared_budget is not None:
            await self.shared_budget.aclose()


def _shared_budget(url: str | None, token: str | None) -> RedisRateBudget | None:
    """The ``--shared-budget`` Redis budget, or None; refused in CLI terms when unusable."""
    if url is None:
        return None
    if token is None:
        raise UsageError("--shared-budget needs a token: the budget is shared per token")
    try:
        return RedisRateBudget.from_url(url, token=token)
    except ImportError:
        raise UsageError(
            "--shared-budget needs redis-py: pip install 'aiogh-packages[redis]'"
        ) from None
    except (ValueError, TypeError) as exc:
        raise UsageError(f"--shared-budget {url!r}: {exc}") from None


def retry_notice(stream: TextIO, max_tries: int) -> RetryHook | None:
    """A hook that prints one line per retry on ``stream``, or None when it is no terminal.

    ``-v`` logs retries instead, so the hook is only used without it.
    """
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None

    def notice(event: RetryEvent) -> None:
        stream.write(
            f"\r\x1b[2Kretrying {event.method} {event.url}: {event.reason} "
            f"(attempt {event.attempt} of {max_tries} failed; next in {event.delay_s:.1f} s)\n"
        )
        stream.flush()

    return notice


def note_if_unauthenticated(out: Out, token: str | None, count: int) -> None:
    """Warn when an empty answer came to a request without a token.

    GitHub itself answers 401 without a token, even for public packages
    (https://docs.github.com/rest/packages/packages), so an empty list from a test server
    is no sign of what GitHub would list.
    """
    if token is None and count == 0:
        out.warn(
            "the request was unauthenticated (no --token, GITHUB_TOKEN or GH_TOKEN): GitHub "
            "answers 401 to the Packages API without a token, so this empty answer says "
            "nothing about what a token would list"
        )


def configure_logging(verbosity: int) -> None:
    """Send the ``aiogh_packages`` logger to stderr.

    Rate-limit waits (warnings) always show; ``-v`` adds retries (INFO) and timestamps,
    ``-vv`` everything (DEBUG: pacing waits).
    """
    logger = logging.getLogger("aiogh_packages")
    for old in [h for h in logger.handlers if h.get_name() == _HANDLER]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER)
    stamp = "%(asctime)s " if verbosity > 0 else ""
    handler.setFormatter(logging.Formatter(stamp + "%(name)s %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    levels = (logging.WARNING, logging.INFO)
    logger.setLevel(levels[verbosity] if verbosity < len(levels) else logging.DEBUG)


def confirm(out: Out, action: str, *, yes: bool, note: str = "") -> None:
    """Go ahead when ``--yes`` was given or the user answers yes on a terminal.

    ``action`` completes "refusing to ...", e.g. ``delete version 1 of ...``.

    Raises:
        Refused: stdin is not a terminal and ``--yes`` is missing, or the answer is not yes.
    """
    if yes:
        return
    if not out.interactive:
        raise Refused(
            f"refusing to {action} without --yes (stdin is not a terminal); nothing was changed"
        )
    out.stderr.write(f"{action[0].upper()}{action[1:]}?{' ' + note if note else ''} [y/N] ")
    out.stderr.flush()
    try:
        answer = input()
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise Refused("not confirmed; nothing was changed")


def check_state_option(owner: Owner, state: str | None) -> None:
    """``--state`` exists for org and own versions only, as in GitHub's API."""
    if state is not None and owner.kind == "user":
        raise UsageError(
            "--state is not accepted with --user: GitHub's user version listing has no "
            "state filter (use --org or --me)"
        )


async def aclose(iterator: object) -> None:
    """Close an async generator (cancelling what it runs) if ``iterator`` is one."""
    close = getattr(iterator, "aclose", None)
    if close is not None:
        await close()
