"""Origin rules and redaction: userinfo and secret query parameters never shown or followed."""

from __future__ import annotations

import pytest

from aiogh_packages._sansio.urls import has_userinfo, origin_problem, redact_url

BASE = "https://api.github.com"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:s3cret@api.github.com/x?page=2", "https://api.github.com/x?page=2"),
        ("http://user@host:8080/x", "http://host:8080/x"),
        ("https://a:b@c@evil.example/x", "https://evil.example/x"),
        ("https://api.github.com/x@y?page=2", "https://api.github.com/x@y?page=2"),
        ("https://h/x?token=s3cret&a=1", "https://h/x?token=***&a=1"),
        ("https://h/x?a=1&ACCESS_TOKEN=s3cret", "https://h/x?a=1&ACCESS_TOKEN=***"),
        ("https://h/x?client_secret=s3cret#frag", "https://h/x?client_secret=***#frag"),
        ("https://h/blob?sv=1&Sig=s3cret&se=2", "https://h/blob?sv=1&Sig=***&se=2"),
        ("https://h/x?X-Amz-Signature=s3cret", "https://h/x?X-Amz-Signature=***"),
        ("https://h/x?refresh_token=s3cret", "https://h/x?refresh_token=***"),
        ("https://h/x?design=1&per_page=2&page=3", "https://h/x?design=1&per_page=2&page=3"),
        ("https://[::1/x?token=s3cret", "https://[::1/x?token=***"),
    ],
)
def test_redact_url_drops_userinfo_and_secret_values(url: str, shown: str) -> None:
    """Userinfo is removed and secret-looking parameter values become ***; the rest stays."""
    assert redact_url(url) == shown


@pytest.mark.parametrize(
    ("url", "has"),
    [
        ("https://u:p@api.github.com/x", True),
        ("https://u@api.github.com/x", True),
        ("https://api.github.com/a@b", False),
        ("https://api.github.com/x?u=a@b", False),
        ("https://api.github.com#a@b", False),
    ],
)
def test_has_userinfo_looks_only_at_the_authority(url: str, has: bool) -> None:
    """Only an "@" before the path, query or fragment is userinfo."""
    assert has_userinfo(url) is has


def test_origin_problem_refuses_userinfo_on_the_api_origin() -> None:
    """A URL with user:password@ is refused even though its host is the API host."""
    problem = origin_problem("https://bob:s3cret@api.github.com/user/1/packages", BASE, "Link URL")
    assert problem is not None and "credentials" in problem


def test_origin_problem_for_userinfo_never_shows_the_password() -> None:
    """The refusal of a userinfo URL on another host names neither its user nor password."""
    problem = origin_problem("https://bob:s3cret@evil.example/x", BASE, "Link URL")
    assert problem is not None
    assert "s3cret" not in problem and "bob" not in problem


def test_origin_problem_never_shows_credentials_of_base_url() -> None:
    """A base_url that carries userinfo is redacted in the message, and its URLs are refused."""
    base = "https://bob:s3cret@ghes.example/api/v3"
    problem = origin_problem(base + "/user", base, "URL")
    assert problem is not None and "s3cret" not in problem


def test_origin_problem_accepts_a_plain_api_url() -> None:
    """An ordinary URL under base_url is accepted without a message."""
    assert origin_problem(BASE + "/user/1/packages?page=2", BASE, "Link URL") is None


def test_origin_problem_accepts_the_same_origin_spelled_differently() -> None:
    """An upper-case host with the default port is still the API origin."""
    assert origin_problem("https://API.GITHUB.COM:443/x", BASE, "redirect") is None


def test_origin_problem_names_a_foreign_origin() -> None:
    """A foreign origin is named (scheme, host, port) in the refusal."""
    problem = origin_problem("http://evil.example/x", BASE, "redirect")
    assert problem is not None and "http://evil.example:80" in problem


def test_origin_problem_of_an_unparsable_port_says_malformed() -> None:
    """A URL whose port does not parse is refused as a malformed origin, without raising."""
    problem = origin_problem("https://api.github.com:99999/x", BASE, "Link URL")
    assert problem is not None and "malformed" in problem
