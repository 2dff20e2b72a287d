"""The composite action's inputs (``INPUT_*`` variables) turned into a ``prune`` command line.

``action.yml`` passes each input through an environment variable, never by interpolating it
into a script (https://docs.github.com/actions/security-for-github-actions/security-guides/
security-hardening-for-github-actions#understanding-the-risk-of-script-injections), and runs
``python -m aiogh_packages._cli.action_inputs``. Values are handed to the parser as separate
arguments, so no shell ever reads them. The token travels as ``GITHUB_TOKEN``, never as a flag.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from .errors import ExitCode

__all__ = ["BOOLEANS", "LISTS", "OPTIONS", "argv_from_inputs", "env_name", "main"]

# input -> flag taking one value (skipped when the input is empty)
OPTIONS = {
    "package-type": "--type",
    "package-glob": "--package-glob",
    "keep-latest": "--keep-latest",
    "keep-latest-tagged": "--keep-latest-tagged",
    "keep-latest-untagged": "--keep-latest-untagged",
    "older-than": "--older-than",
    "age-by": "--age-by",
    "tag-state": "--tag-state",
    "max-deletions": "--max-deletions",
    "limit": "--limit",
    "journal": "--journal",
    "base-url": "--base-url",
}
# input -> repeatable flag: one value per line, blank lines skipped
LISTS = {
    "package": "--package",
    "include-tags": "--include-tag",
    "exclude-tags": "--exclude-tag",
    "protect-tags": "--protect-tag",
    "protect-names": "--protect-name",
    "protect-ids": "--protect-id",
    "version-ids": "--version-id",
}
# input -> switch given when the input is "true" ("false" or empty: not given)
BOOLEANS = {"dry-run": "--dry-run", "prerelease-only": "--prerelease-only", "regex": "--regex"}
OWNER_KINDS = ("org", "user", "me")


class InputError(ValueError):
    """An input the action cannot turn into a flag; the message names the input."""


def env_name(name: str) -> str:
    """The variable ``action.yml`` sets for input ``name`` (keep-latest: ``INPUT_KEEP_LATEST``)."""
    return "INPUT_" + name.upper().replace("-", "_")


def _owner(environ: Mapping[str, str]) -> list[str]:
    kind = environ.get(env_name("owner-kind"), "").strip() or "org"
    owner = environ.get(env_name("owner"), "").strip()
    if kind not in OWNER_KINDS:
        raise InputError(f"input owner-kind is {kind!r}; use one of: {', '.join(OWNER_KINDS)}")
    if kind == "me":
        return ["--me"]
    if not owner:
        raise InputError(f"input owner is empty; owner-kind {kind} needs a name")
    return [f"--{kind}", owner]


def _switch(name: str, value: str) -> bool:
    value = value.strip().lower()
    if value not in ("", "true", "false"):
        raise InputError(f"input {name} is {value!r}; use true or false")
    return value == "true"


def argv_from_inputs(environ: Mapping[str, str]) -> list[str]:
    """The ``aiogh-packages prune`` arguments the ``INPUT_*`` variables describe.

    Raises:
        InputError: an input with a value no flag accepts (before anything is sent).
    """
    argv = ["prune", *_owner(environ), "--yes"]
    for name, flag in OPTIONS.items():
        value = environ.get(env_name(name), "").strip()
        if value:
            argv += [flag, value]
    for name, flag in LISTS.items():
        for line in environ.get(env_name(name), "").splitlines():
            if line.strip():
                argv += [flag, line.strip()]
    for name, flag in BOOLEANS.items():
        if _switch(name, environ.get(env_name(name), "")):
            argv.append(flag)
    return argv


def main(environ: Mapping[str, str] = os.environ) -> int:
    """Run ``prune`` with the action's inputs; a bad input is a usage error (exit 2)."""
    from ..cli import main as cli_main

    try:
        argv = argv_from_inputs(environ)
    except InputError as exc:
        print(f"::error::{exc}", file=sys.stderr)
        return ExitCode.USAGE
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
