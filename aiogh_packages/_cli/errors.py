"""Exit codes, the command line's own errors, and turning any failure into one clear line."""

from __future__ import annotations

import asyncio
import enum
import re

from ..errors import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    PackagesError,
    RateLimitError,
    TransportError,
)
from ..retention import RetentionLimitError

__all__ = [
    "EXIT_CODES_HELP",
    "CLIError",
    "ExitCode",
    "Missing",
    "Refused",
    "TokenProblem",
    "UsageError",
    "describe_failure",
    "in_cli_terms",
    "redact",
]

# The library names its parameters; a CLI user typed flags. Longest names first, so that
# keep_latest_tagged is not read as keep_latest.
_FLAGS = {
    "keep_latest_untagged": "--keep-latest-untagged",
    "keep_latest_tagged": "--keep-latest-tagged",
    "package_version_id": "--version-id",
    "max_concurrency": "--concurrency",
    "write_interval": "--write-interval",
    "max_deletions": "--max-deletions",
    "package_name": "PACKAGE",
    "registry_url": "--registry-url",
    "keep_latest": "--keep-latest",
    "older_than": "--older-than",
    "max_wait_s": "--max-wait",
    "max_tries": "--max-tries",
    "max_wait": "--max-wait",
    "per_page": "--per-page",
    "base_url": "--base-url",
    "timeout": "--timeout",
}
_PARAMETER = re.compile(r"(?<![\w-])(" + "|".join(_FLAGS) + r")(?![\w-])")
_TOKEN_ARGUMENT = re.compile(r"(?<![\w-])token=\.\.\.")
_OR_NONE = re.compile(r" or None\b")  # a flag left out is the library's None: not typable


class ExitCode(enum.IntEnum):
    """The exit status of ``aiogh-packages``; :data:`EXIT_CODES_HELP` explains each."""

    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    AUTH = 4
    RATE_LIMIT = 5
    TRANSPORT = 6
    OWNERS_FAILED = 7
    REFUSED = 8
    INTERRUPTED = 130


EXIT_CODES_HELP = """\
exit codes:
  0    success
  1    other error: GitHub refused the request (4xx/5xx), a deletion failed, I/O error
  2    usage: bad arguments (unknown package type, --per-page out of 1..100, bad duration)
  3    not found: the owner, package or version does not exist (or the token cannot see it)
  4    authentication: no token for a real host, bad token, missing scope, unusable token kind
  5    rate limited beyond --max-wait: the message says when the limit resets
  6    transport: connection failed, timed out or was cut short (after the retries)
  7    fan-out: at least one owner failed (the others were listed)
  8    refused: delete/prune without --yes on a non-terminal, the answer was no, or the plan
       deletes more than --max-deletions
  130  interrupted (Ctrl-C)
"""


class CLIError(Exception):
    """An expected failure of the command line itself, with its exit code."""

    exit_code: ExitCode = ExitCode.ERROR


class UsageError(CLIError):
    """The arguments cannot work together (exit 2)."""

    exit_code = ExitCode.USAGE


class TokenProblem(CLIError):
    """No usable token for the host (exit 4)."""

    exit_code = ExitCode.AUTH


class Missing(CLIError):
    """What the command acts on is not there, or not in the state it needs (exit 3)."""

    exit_code = ExitCode.NOT_FOUND


class Refused(CLIError):
    """A destructive action was not confirmed or exceeds its cap (exit 8)."""

    exit_code = ExitCode.REFUSED


def describe_failure(exc: BaseException) -> tuple[ExitCode, str]:
    """The exit code and the one-line message for ``exc``.

    Library errors never contain the token; callers still pass the line through
    :func:`redact` before printing it.
    """
    if isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)):
        return ExitCode.INTERRUPTED, "interrupted"
    if isinstance(exc, CLIError):
        return exc.exit_code, str(exc)
    if isinstance(exc, RetentionLimitError):
        return ExitCode.REFUSED, f"refused: {exc}"
    if isinstance(exc, PackagesError):
        return _api_failure(exc)
    if isinstance(exc, (ValueError, TypeError)):
        return ExitCode.USAGE, f"invalid argument: {in_cli_terms(str(exc))}"
    if isinstance(exc, OSError):
        return ExitCode.ERROR, f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    return ExitCode.ERROR, f"unexpected {type(exc).__name__}: {exc} (run with -v for details)"


def _api_failure(exc: PackagesError) -> tuple[ExitCode, str]:
    if isinstance(exc, RateLimitError):
        return ExitCode.RATE_LIMIT, (
            f"rate limited: {in_cli_terms(str(exc))}; "
            f"try again after {exc.reset_at:%Y-%m-%dT%H:%M:%SZ}"
        )
    if isinstance(exc, AuthError):
        return ExitCode.AUTH, (
            f"authentication failed: {exc}; check the token with 'aiogh-packages auth-status'"
        )
    if isinstance(exc, ForbiddenError):
        return ExitCode.AUTH, f"forbidden: {exc}"
    if isinstance(exc, NotFoundError):
        return ExitCode.NOT_FOUND, f"not found: {exc}"
    if isinstance(exc, TransportError):
        return ExitCode.TRANSPORT, f"network error: {exc}"
    return ExitCode.ERROR, str(exc)


def in_cli_terms(text: str) -> str:
    """A library message with its parameter names as the CLI's flags.

    ``per_page must be in 1..100`` becomes ``--per-page must be in 1..100``, and
    ``pass token=...`` becomes ``pass --token TOKEN``.
    """
    text = _OR_NONE.sub("", _TOKEN_ARGUMENT.sub("--token TOKEN", text))
    return _PARAMETER.sub(lambda match: _FLAGS[match.group(1)], text)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
