"""``aiogh-packages``: the command line of aiogh_packages (``python -m aiogh_packages``).

``main(argv)`` parses the arguments, runs one subcommand on a fresh event loop and turns
every expected failure into one line on stderr and a distinct exit status (see
``aiogh-packages --help``). The subcommands live in :mod:`aiogh_packages._cli`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from ._cli import commands, demo, fanout, prune
from ._cli.args import parse_arguments
from ._cli.errors import ExitCode, describe_failure, redact
from ._cli.render import Out
from ._cli.session import configure_logging, resolve_token
from ._cli.validate import validate

__all__ = ["main"]

Command = Callable[[argparse.Namespace, Out, "str | None"], Coroutine[Any, Any, int]]

COMMANDS: dict[str, Command] = {
    "packages": commands.list_packages,
    "versions": commands.list_versions,
    "get": commands.get,
    "delete": commands.delete,
    "restore": commands.restore,
    "auth-status": commands.auth_status,
    "fan-out": fanout.fan_out,
    "prune": prune.prune,
    "undo": prune.undo,
    "validate": validate,
    "demo": demo.demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    try:
        args = parse_arguments(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (2)
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    configure_logging(args.verbose)
    out = Out()
    token = None if args.command == "demo" else resolve_token(args)
    secrets = tuple(s for s in (token, getattr(args, "package_token", None)) if s)
    try:
        return _run(COMMANDS[args.command](args, out, token))
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        _silence_stdout()
        return ExitCode.OK
    except (Exception, KeyboardInterrupt, asyncio.CancelledError) as exc:
        return _fail(exc, out, secrets, verbose=args.verbose > 0)


def _run(command: Coroutine[Any, Any, int]) -> int:
    """``asyncio.run(command)``, where Ctrl-C cancels the command, on every Python version.

    Python 3.11+ does this itself; 3.10 raises KeyboardInterrupt wherever the main thread
    happens to be, and inside aiohttp's protocol callbacks that became a connection error:
    an interrupted run exited 6 (transport) instead of 130. A second Ctrl-C interrupts
    whatever the clean-up is doing.
    """
    interrupted = False

    async def cancellable() -> int:
        task, loop = asyncio.current_task(), asyncio.get_running_loop()

        def on_sigint() -> None:
            nonlocal interrupted
            if interrupted:  # the second one: stop waiting for the clean-up
                loop.remove_signal_handler(signal.SIGINT)
                raise KeyboardInterrupt
            interrupted = True
            if task is not None:
                task.cancel()

        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGINT, on_sigint)  # not on Windows, main thread only
        try:
            return int(await command)
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGINT)

    try:
        return asyncio.run(cancellable())
    except (Exception, asyncio.CancelledError):
        if interrupted:  # whatever the cancellation turned into on its way out
            raise KeyboardInterrupt from None
        raise


def _fail(exc: BaseException, out: Out, secrets: tuple[str, ...], *, verbose: bool) -> int:
    """Print ``exc`` as one line (after its traceback with ``-v``); return its exit code."""
    code, message = describe_failure(exc)
    if verbose and code != ExitCode.INTERRUPTED:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        out.stderr.write(redact(text, secrets))
    label = out.err_style("error:", "red", "bold")
    out.note(f"aiogh-packages: {label} {redact(message, secrets)}")
    return int(code)


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)
