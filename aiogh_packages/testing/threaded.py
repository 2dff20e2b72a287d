"""A :class:`~aiogh_packages.testing.FakeGitHub` on its own event loop in a daemon thread.

Sync code, other event loops and other async frameworks can then use the server: its
scripting and inspection methods are thread-safe, and the loop that serves it belongs to the
thread. Stopping closes the server on its loop, cancels what is left, shuts the loop down and
joins the thread, so no transport or loop is left for the garbage collector to warn about.
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["Servable", "ThreadedFakeGitHub"]


class Servable(Protocol):
    """What runs in the thread: a server started and closed on one event loop."""

    async def start(self) -> Any:
        """Start serving on the running loop."""

    async def close(self) -> None:
        """Stop serving."""


S = TypeVar("S", bound=Servable)


class ThreadedFakeGitHub(Generic[S]):
    """Runs ``server`` in a background thread; use as ``with ... as gh`` (``gh`` is the server).

    Made by :meth:`FakeGitHub.in_thread`. :meth:`start` and :meth:`close` are synchronous and
    may be called from any thread (but not from the server's own loop). It knows only the
    :class:`Servable` protocol, so it does not import the server module.
    """

    def __init__(self, server: S) -> None:
        self.server = server
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> S:
        """Start the thread and the server in it; returns the started server.

        Raises:
            RuntimeError: if already started.
            OSError: if the server cannot listen (raised from the thread's failure).
        """
        if self._thread is not None:
            raise RuntimeError("the threaded FakeGitHub is already started")
        ready = threading.Event()
        failures: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.server.start())
            except BaseException as exc:  # handed to the starting thread below
                failures.append(exc)
                ready.set()
                _shutdown(loop)
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.server.close())
                _shutdown(loop)

        thread = threading.Thread(target=run, name="aiogh-fake-github", daemon=True)
        thread.start()
        ready.wait()
        if failures:
            thread.join()
            raise failures[0]
        self._thread, self._loop = thread, loop
        return self.server

    def close(self) -> None:
        """Stop the server and its loop, and join the thread. Idempotent."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        self._thread = self._loop = None
        loop.call_soon_threadsafe(loop.stop)
        thread.join()

    def __enter__(self) -> S:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _shutdown(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel leftover tasks, finish async generators and the executor, close the loop."""
    try:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
