"""A scripted :class:`~aiogh_packages._pipeline.Transport`: answers from a list, for table tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiogh_packages._pipeline import Answer, SendFault

Step = Answer | SendFault


class ScriptedTransport:
    """Answers each send with the next step of ``script`` and records what was sent.

    A step is ``(status, headers, body)`` or a :class:`SendFault` to raise. Sending past the
    end of the script fails the test.
    """

    def __init__(self, script: Sequence[Step]) -> None:
        self.script = list(script)
        self.sent: list[tuple[str, str, dict[str, str]]] = []
        self.closed = False

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """Record the request and play the next step."""
        self.sent.append((method, url, dict(headers)))
        assert self.script, f"unscripted request {method} {url}"
        step = self.script.pop(0)
        if isinstance(step, SendFault):
            raise step
        return step

    async def close(self) -> None:
        """Remember that the pipeline closed the transport."""
        self.closed = True
