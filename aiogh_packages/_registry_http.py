"""The registry client's HTTP: bearer tokens, retries, redirects; the only aiohttp user there.

:class:`RegistryTransport` sends one GET at a time for :class:`~aiogh_packages.RegistryClient`:

1. with the repository's cached bearer token, if it is still fresh;
2. following redirects, with ``Authorization`` only on the registry origin (a blob host on
   another origin gets none);
3. retrying connection faults and 5xx with ``backoff``'s ``expo`` + full jitter, and a 429
   after its ``Retry-After`` (raising :class:`~aiogh_packages.RateLimitError` when longer than
   ``max_wait_s``); every wait goes through the injectable ``sleep``;
4. on a 401 with a ``Bearer`` challenge, once: trading the GitHub token (HTTP Basic) for a
   bearer token at the realm, which must be on the registry origin, then sending again.

Exception text and logs carry only redacted URLs, never a token.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Iterator, Mapping

import aiohttp
import backoff
import msgspec
from yarl import URL

from ._sansio import registry_wire as wire
from ._sansio.responses import registry_error_for, transport_error
from ._sansio.urls import origin_problem, redact_url, same_origin
from ._transport import fault_for
from ._version import __version__
from .errors import APIError, DecodeError, TransportError, UnsafeURLError
from .events import Clock, Sleep

__all__ = ["Answer", "RegistryTransport", "registry_error"]

logger = logging.getLogger("aiogh_packages")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
Answer = tuple[int, dict[str, str], bytes, str]


def registry_error(
    status: int, headers: dict[str, str], body: bytes, url: str, attempts: int
) -> APIError:
    """The :class:`APIError` subclass for a registry error answer (chosen by ``responses``)."""
    return registry_error_for(status, headers, body, url=url, attempts=attempts)


class RegistryTransport:
    """Sends GETs to one registry for one GitHub token (see the module docstring)."""

    def __init__(
        self,
        *,
        registry_url: str,
        token: str | None,
        session: aiohttp.ClientSession | None,
        max_attempts: int,
        max_wait_s: float,
        backoff_s: tuple[float, float],
        timeout_s: float,
        sleep: Sleep,
        clock: Clock,
    ) -> None:
        self.registry_url = registry_url
        self._token = token
        self._session, self._owns_session = session, session is None
        self._max_attempts, self._max_wait_s = max_attempts, max_wait_s
        self._backoff = backoff_s
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._sleep, self._clock = sleep, clock
        self._bearer: dict[str, wire.RegistryToken] = {}
        self._exchanging = asyncio.Lock()

    def __repr__(self) -> str:
        return f"RegistryTransport(registry_url={self.registry_url!r})"

    async def close(self) -> None:
        """Close the session if this transport opened it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def get(self, url: str, repository: str) -> Answer:
        """GET ``url`` with the repository's bearer token, re-challenging once on a 401."""
        return await self.send(url, repository)

    async def send(self, url: str, repository: str, put: tuple[str, bytes] | None = None) -> Answer:
        """GET ``url`` (or PUT ``put`` = (content type, body)), re-challenging once on a 401."""
        used = self._auth(repository)
        answer = await self._send_retrying(url, used, put)
        if answer[0] != 401:
            return answer
        challenge = wire.parse_challenge(answer[1].get("www-authenticate"))
        if challenge is None:
            return answer
        async with self._exchanging:  # one exchange when concurrent reads are challenged
            if self._auth(repository) == used:
                await self._exchange(challenge, repository)
        return await self._send_retrying(url, self._auth(repository), put)

    def _auth(self, repository: str) -> dict[str, str]:
        bearer = self._bearer.get(repository)
        if bearer is None or not bearer.is_fresh(self._clock()):
            return {}
        return {"Authorization": f"Bearer {bearer.token}"}

    async def _exchange(self, challenge: wire.Challenge, repository: str) -> None:
        """Trade the GitHub token for a bearer token at the challenge's realm."""
        problem = origin_problem(challenge.realm, self.registry_url, "token realm")
        if problem is not None:
            raise UnsafeURLError(problem, method="GET", url=redact_url(challenge.realm))
        query = {"scope": challenge.scope or f"repository:{repository}:pull"}
        if challenge.service:
            query["service"] = challenge.service
        realm = str(URL(challenge.realm).update_query(query))
        headers = {}
        if self._token is not None:
            # HTTP Basic with any user name and the GitHub token as password (RFC 7617).
            pair = base64.b64encode(f"aiogh-packages:{self._token}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        status, answer_headers, body, final = await self._send_retrying(realm, headers)
        if status != 200:
            raise registry_error(status, answer_headers, body, realm, 1)
        try:
            self._bearer[repository] = wire.parse_token(body, self._clock())
        except (msgspec.DecodeError, ValueError) as exc:
            raise DecodeError(
                f"token endpoint answer is not a token: {exc}",
                endpoint="GET {realm}",
                method="GET",
                url=redact_url(final),
            ) from None

    async def _send_retrying(
        self, url: str, auth: Mapping[str, str], put: tuple[str, bytes] | None = None
    ) -> Answer:
        delays = self._delays()
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._send_following(url, auth, put)
            except TransportError:
                if not wire.should_retry(None, attempt, self._max_attempts):
                    raise
                delay = next(delays)
            else:
                status = answer[0]
                if not wire.should_retry(status, attempt, self._max_attempts):
                    if status == 429 or status >= 500:
                        raise self._final_error(answer, attempt)
                    return answer
                delay = self._wait_for(answer, attempt, delays)
            method = "PUT" if put else "GET"
            logger.info(
                "retrying %s %s (attempt %d); waiting %.2f s",
                method,
                redact_url(url),
                attempt,
                delay,
            )
            await self._sleep(delay)

    def _wait_for(self, answer: Answer, attempt: int, delays: Iterator[float]) -> float:
        status, headers = answer[0], answer[1]
        if status != 429:
            return next(delays)
        wait = wire.retry_after_s(headers, self._clock())
        if wait is None:
            return next(delays)
        if wait > self._max_wait_s:
            raise self._final_error(answer, attempt)
        return wait

    def _final_error(self, answer: Answer, attempt: int) -> APIError:
        status, headers, body, url = answer
        if status != 429:
            return registry_error(status, headers, body, url, attempt)
        now = self._clock()
        return registry_error_for(
            status,
            headers,
            body,
            url=url,
            attempts=attempt,
            retry_after_s=wire.retry_after_s(headers, now) or 0.0,
            now_epoch=now,
        )

    def _delays(self) -> Iterator[float]:
        base, cap = self._backoff
        gen = backoff.expo(base=2, factor=base, max_value=cap)
        next(gen)  # backoff's generators yield once before the first delay
        for value in gen:
            yield backoff.full_jitter(value) if value else 0.0

    async def _send_following(
        self, url: str, auth: Mapping[str, str], put: tuple[str, bytes] | None = None
    ) -> Answer:
        """Send once, following redirects; ``auth`` only goes to the registry origin."""
        for _ in range(_MAX_REDIRECTS + 1):
            headers = {"Accept": wire.ACCEPT, "User-Agent": f"aiogh-packages/{__version__}"}
            if put is not None:
                headers["Content-Type"] = put[0]
            if same_origin(url, self.registry_url):
                headers.update(auth)
            status, answer_headers, body = await self._send_once(url, headers, put)
            location = answer_headers.get("location")
            if status not in _REDIRECTS or not location:
                return status, answer_headers, body, url
            url = str(URL(url, encoded=True).join(URL(location, encoded=True)))
        raise transport_error(
            "connection", f"more than {_MAX_REDIRECTS} redirects", method="GET", url=url,
            attempts=1,
        )  # fmt: skip

    async def _send_once(
        self, url: str, headers: Mapping[str, str], put: tuple[str, bytes] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.request(
                "PUT" if put else "GET",
                URL(url, encoded=True),
                data=put[1] if put else None,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            ) as resp:
                body = await resp.read()
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, body
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
            fault = fault_for(exc, self._timeout)
            raise transport_error(
                fault.kind, fault.detail, method="GET", url=url, attempts=1
            ) from exc
