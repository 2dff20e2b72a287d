"""Link header parsing, origin checks and page URL derivation."""

from __future__ import annotations

import random

import pytest

from aiogh_packages._sansio.links import page_number, page_urls, parse_link_header
from aiogh_packages._sansio.urls import origin_of, same_origin

GITHUB_DOCS_EXAMPLE = (
    '<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", '
    '<https://api.github.com/repositories/1300192/issues?page=4>; rel="next", '
    '<https://api.github.com/repositories/1300192/issues?page=515>; rel="last", '
    '<https://api.github.com/repositories/1300192/issues?page=1>; rel="first"'
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, {}),
        ("", {}),
        (
            GITHUB_DOCS_EXAMPLE,
            {
                "prev": "https://api.github.com/repositories/1300192/issues?page=2",
                "next": "https://api.github.com/repositories/1300192/issues?page=4",
                "last": "https://api.github.com/repositories/1300192/issues?page=515",
                "first": "https://api.github.com/repositories/1300192/issues?page=1",
            },
        ),
        ("<https://x/a?page=2>; rel=next", {"next": "https://x/a?page=2"}),
        (
            '<https://x/a?page=2>; rel="next last"',
            {"next": "https://x/a?page=2", "last": "https://x/a?page=2"},
        ),
        ('<https://x/a>; title="t"; rel="NEXT"', {"next": "https://x/a"}),
        ('<https://x/a>; title="no rel"', {}),
        ('<https://x/1>; rel="next", <https://x/2>; rel="next"', {"next": "https://x/1"}),
        ("garbage without brackets", {}),
    ],
)
def test_parse_link_header_cases(header: str | None, expected: dict[str, str]) -> None:
    """Each Link header maps every rel to its URL; the first URL per rel wins."""
    assert parse_link_header(header) == expected


def test_parse_link_header_round_trip_randomized() -> None:
    """Randomly built Link headers parse back to the rels and URLs they were built from."""
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    for _ in range(200):
        rels = rng.sample(["next", "prev", "first", "last"], rng.randint(1, 4))
        links = {
            rel: f"https://api.github.com/user/{rng.randint(1, 10**6)}/packages"
            f"?package_type=container&per_page={rng.randint(1, 100)}&page={rng.randint(1, 99)}"
            for rel in rels
        }
        header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
        assert parse_link_header(header) == links, f"seed={seed} header={header}"


@pytest.mark.parametrize(
    ("url", "base", "same"),
    [
        ("https://api.github.com/user/1/packages?page=2", "https://api.github.com", True),
        ("https://API.GITHUB.COM:443/x", "https://api.github.com", True),
        ("http://api.github.com/x", "https://api.github.com", False),
        ("https://evil.example/x", "https://api.github.com", False),
        ("https://api.github.com.evil.example/x", "https://api.github.com", False),
        ("https://api.github.com:8443/x", "https://api.github.com", False),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080", True),
        ("http://127.0.0.1:8081/x", "http://127.0.0.1:8080", False),
        ("https://ghes.example/api/v3/orgs/x", "https://ghes.example/api/v3", True),
    ],
)
def test_same_origin_compares_scheme_host_and_port(url: str, base: str, same: bool) -> None:
    """Only scheme, host and port decide the origin; default ports are filled in."""
    assert same_origin(url, base) is same


def test_origin_of_unknown_scheme_has_no_default_port() -> None:
    """A scheme without a default port gets -1 rather than a guess."""
    assert origin_of("ftp://host/x") == ("ftp", "host", -1)


def test_page_urls_change_only_the_page_parameter() -> None:
    """Pages 2..4 keep every other parameter and its order as GitHub wrote them."""
    last = "https://api.github.com/user/583231/packages?package_type=container&per_page=100&page=4"
    assert page_urls(last, 2, 4) == [
        "https://api.github.com/user/583231/packages?package_type=container&per_page=100&page=2",
        "https://api.github.com/user/583231/packages?package_type=container&per_page=100&page=3",
        "https://api.github.com/user/583231/packages?package_type=container&per_page=100&page=4",
    ]


@pytest.mark.parametrize(
    ("url", "number"),
    [("https://x/a?page=7", 7), ("https://x/a?per_page=3", None), ("https://x/a?page=abc", None)],
)
def test_page_number_reads_the_page_parameter(url: str, number: int | None) -> None:
    """The page number is the integer ``page`` parameter, else None."""
    assert page_number(url) == number


@pytest.mark.parametrize(
    "url",
    ["https://api.github.com:99999/x", "https://api.github.com:443.evil.example/x"],
)
def test_same_origin_is_false_for_an_unparsable_port(url: str) -> None:
    """A URL whose port does not parse is never on the API origin (and does not raise)."""
    assert same_origin(url, "https://api.github.com") is False
