"""The standalone fake GitHub: --token, --secondary-limits, --rate-limit and POST /_fake/faults."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from aiogh_packages.testing import FakeGitHub, TokenInfo, sample_store
from aiogh_packages.testing.control import parse_token_spec

PKG = "/users/octocat/packages/rubygems/octo-name"


def fetch(
    url: str, token: str | None = None, method: str = "GET", data: bytes | None = None
) -> int:
    """The status of one request sent with urllib (as curl would send it)."""
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("User-Agent", "curl/8.5.0")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def standalone() -> Iterator[str]:
    """python -m aiogh_packages.testing with two tokens and secondary limits; its URL."""
    command = [
        sys.executable, "-m", "aiogh_packages.testing",
        "--token", "ghp_mona:classic:read:packages:monalisa",
        "--token", "ghs_ci:actions::octo-org/hello-world-npm",
        "--secondary-limits", "--rate-limit", "50",
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().split()[-1]
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_standalone_refuses_anonymous_requests_once_tokens_are_declared(standalone: str) -> None:
    """With --token, a request without a token is 401."""
    assert fetch(standalone + PKG) == 401


def test_standalone_accepts_a_declared_token_and_refuses_others(standalone: str) -> None:
    """A declared classic token reads; an undeclared one is 401."""
    assert (fetch(standalone + PKG, "ghp_mona"), fetch(standalone + PKG, "ghp_nope")) == (200, 401)


def test_standalone_actions_token_answers_as_githubs(standalone: str) -> None:
    """The declared actions token gets 400 listing an organization's packages."""
    assert fetch(f"{standalone}/orgs/octo-org/packages?package_type=npm", "ghs_ci") == 400


def test_rate_limit_option_sets_the_primary_limit(standalone: str) -> None:
    """--rate-limit 50 shows in x-ratelimit-limit."""
    headers = {"User-Agent": "t", "Authorization": "Bearer ghp_mona"}
    request = urllib.request.Request(standalone + "/rate_limit", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert json.load(reply)["rate"]["limit"] == 50


def test_readme_curl_fault_makes_the_next_request_fail(standalone: str) -> None:
    """The README's curl commands, sent as written: the fault queues and the next GET is 503."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    found = re.search(r"curl -X POST \S+/_fake/faults -d '([^']+)'", readme)
    get = re.search(r'curl -H "Authorization: Bearer (\w+)" http://127\.0\.0\.1:8080(\S+)', readme)
    assert found is not None and get is not None
    queued = fetch(f"{standalone}/_fake/faults", method="POST", data=found[1].encode())
    path = get[2]
    assert (queued, fetch(standalone + path, get[1]), fetch(standalone + path, get[1])) == (
        201,
        503,
        200,
    )


def test_help_shows_token_syntax_and_curl_examples() -> None:
    """--help documents --token's syntax and the control endpoint with examples."""
    done = subprocess.run(
        [sys.executable, "-m", "aiogh_packages.testing", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    for text in ("NAME:KIND:SCOPES[:OWNER]", "--secondary-limits", "--rate-limit", "curl -X POST"):
        assert text in done.stdout


@pytest.mark.parametrize(
    ("spec", "token", "info"),
    [
        ("ghp_a:classic:read:packages:octocat", "ghp_a", TokenInfo("octocat", ("read:packages",))),
        (
            "ghp_b:classic:read:packages,delete:packages",
            "ghp_b",
            TokenInfo("", ("read:packages", "delete:packages")),
        ),
        ("ghp_c:classic:repo:mona", "ghp_c", TokenInfo("mona", ("repo",))),
        ("pat:fine_grained::mona", "pat", TokenInfo("mona", (), "fine_grained")),
        ("ghs_d:actions::acme/app", "ghs_d", TokenInfo.actions("acme/app")),
    ],
)
def test_token_specs_parse_scopes_and_owner(spec: str, token: str, info: TokenInfo) -> None:
    """NAME:KIND:SCOPES[:OWNER] keeps colons inside scopes such as read:packages."""
    assert parse_token_spec(spec) == (token, info)


@pytest.mark.parametrize("spec", ["ghp_x", "ghp_x:weird:repo", ":classic:repo"])
def test_bad_token_specs_are_refused_without_the_token(spec: str) -> None:
    """A malformed spec raises ValueError that never echoes the token."""
    with pytest.raises(ValueError) as info:
        parse_token_spec(spec)
    assert "ghp_x" not in str(info.value)


async def test_control_endpoint_queues_faults_and_clears_them() -> None:
    """POST queues (201), DELETE clears (204), bad keys are 400; control calls are not logged."""
    async with (
        FakeGitHub(store=sample_store()) as gh,
        aiohttp.ClientSession(headers={"Authorization": "Bearer t"}) as http,
    ):
        control = f"{gh.base_url}/_fake/faults"
        async with http.post(control, json=[{"status": 500}, {"kind": "drop"}]) as reply:
            assert (reply.status, await reply.json()) == (201, {"queued": 2})
        async with http.post(control, json={"colour": "red"}) as reply:
            assert reply.status == 400 and "colour" in (await reply.json())["message"]
        async with http.delete(control) as reply:
            assert reply.status == 204
        async with http.get(gh.base_url + PKG) as reply:
            assert reply.status == 200
        assert [r.path for r in gh.requests] == [PKG]
