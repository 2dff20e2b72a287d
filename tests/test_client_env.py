"""The client's base URL from the environment: ``GITHUB_API_URL``, as GitHub Actions sets it."""

from __future__ import annotations

import pytest

from aiogh_packages import PackagesClient
from aiogh_packages.testing import FakeGitHub


async def test_github_api_url_is_used_when_no_base_url_is_given(
    server: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without base_url the client sends its requests to $GITHUB_API_URL."""
    monkeypatch.setenv("GITHUB_API_URL", server.base_url + "/")
    async with PackagesClient(token="ghp_env", backoff_base=0) as gh:
        names = [p.name async for p in gh.iter_user_packages("monalisa", "container")]
        assert gh.base_url == server.base_url
    assert names and server.requests


def test_an_explicit_base_url_wins_over_github_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """base_url given in code is used even when $GITHUB_API_URL is set."""
    monkeypatch.setenv("GITHUB_API_URL", "https://ghes.example.com/api/v3")
    gh = PackagesClient(base_url="http://127.0.0.1:9")
    assert gh.base_url == "http://127.0.0.1:9"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_unset_or_blank_github_api_url_means_api_github_com(
    value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No (or a blank) $GITHUB_API_URL leaves the default, https://api.github.com."""
    if value is None:
        monkeypatch.delenv("GITHUB_API_URL", raising=False)
    else:
        monkeypatch.setenv("GITHUB_API_URL", value)
    assert PackagesClient().base_url == "https://api.github.com"


def test_a_bad_github_api_url_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A $GITHUB_API_URL that is not http(s) raises ValueError showing the value."""
    monkeypatch.setenv("GITHUB_API_URL", "ftp://example.com")
    with pytest.raises(ValueError, match=r"ftp://example\.com"):
        PackagesClient()
