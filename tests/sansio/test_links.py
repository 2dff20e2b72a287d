"""Link header parsing, origin checks and page URL derivation."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiogh_packages._sansio.links import (
    _GITHUB_FORM,
    _page_urls_general,
    _parse_general,
    page_number,
    page_urls,
    parse_link_header,
    query_int,
    url_with_page,
)
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


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            '<https://x/a?page=2>; title="a, b"; rel="next", <https://x/a?page=9>; rel="last"',
            {"next": "https://x/a?page=2", "last": "https://x/a?page=9"},
        ),
        (
            '<https://x/a?page=2>; title="semi; colon"; rel=next',
            {"next": "https://x/a?page=2"},
        ),
        ('<https://x/a?page=2>; rel="next"; title="x"', {"next": "https://x/a?page=2"}),
        (
            "<https://x/a?page=2>;rel=next,<https://x/b>;rel=last",
            {"next": "https://x/a?page=2", "last": "https://x/b"},
        ),
        (
            '  < https://x/a >  ;  rel  =  "next"  ,  <https://x/b>;REL=Last',
            {"next": "https://x/a", "last": "https://x/b"},
        ),
        ('<https://x/a>; title="say \\"hi, there\\""; rel="next"', {"next": "https://x/a"}),
        ('<https://x/a?ids=1,2,3&page=2>; rel="next"', {"next": "https://x/a?ids=1,2,3&page=2"}),
        ('<https://x/a>; rel="next"; rel="last"', {"next": "https://x/a"}),
        ('<https://x/a>; rel="  next   last  "', {"next": "https://x/a", "last": "https://x/a"}),
        (
            '<https://x/other>; anchor="#frag"; rel="next", <https://x/a>; rel="next"',
            {"next": "https://x/a"},
        ),
        ('<https://x/a>; rel="next', {"next": "https://x/a"}),
        ('https://x/a; rel="next", <https://x/b>; rel="last"', {"last": "https://x/b"}),
        ("<>; rel=next", {"next": ""}),
        (",,, ;;; ", {}),
    ],
)
def test_parse_link_header_follows_rfc_8288(header: str, expected: dict[str, str]) -> None:
    """Commas and semicolons in quotes or URLs do not split; params in any order, quoted or not."""
    assert parse_link_header(header) == expected


def test_parse_link_header_joins_several_field_lines() -> None:
    """Several Link field lines are one list, in order (RFC 9110 section 5.3)."""
    lines = ['<https://x/a?page=2>; rel="next"', '<https://x/a?page=9>; rel="last"']
    assert parse_link_header(lines) == {"next": "https://x/a?page=2", "last": "https://x/a?page=9"}


def test_parse_link_header_first_field_line_wins_for_a_relation() -> None:
    """When two field lines name the same relation, the first line's URL is kept."""
    assert parse_link_header(['<https://x/1>; rel="next"', "<https://x/2>; rel=next"]) == {
        "next": "https://x/1"
    }


def test_parse_link_header_of_no_field_lines_is_empty() -> None:
    """An empty sequence of field lines has no links."""
    assert parse_link_header([]) == {}


_RELS = st.sampled_from(["next", "prev", "first", "last", "alternate"])
_TEXT = st.text(alphabet=st.sampled_from(list('ab ,;="\\<x')), max_size=12)
_SPACE = st.sampled_from(["", " ", "  ", "\t"])


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def _link_value(draw: st.DrawFn) -> tuple[str, list[str], str]:
    """One link-value: its URL, its relations, and its text with params in a random order."""
    url = "https://api.github.com/user/1/packages?" + draw(
        st.sampled_from(["page=2", "per_page=100&page=3", "ids=1,2;x&page=4"])
    )
    rels = draw(st.lists(_RELS, min_size=1, max_size=3, unique=True))
    quote = len(rels) > 1 or draw(st.booleans())
    rel_value = _quoted(" ".join(rels)) if quote else rels[0]
    params = [f"rel{draw(_SPACE)}={draw(_SPACE)}{rel_value}"]
    params += [f"title={_quoted(t)}" for t in draw(st.lists(_TEXT, max_size=2))]
    params = draw(st.permutations(params))
    sep = draw(_SPACE) + ";" + draw(_SPACE)
    return url, rels, f"<{url}>" + "".join(sep + p for p in params)


@given(st.lists(_link_value(), min_size=1, max_size=5), st.data())
def test_parse_link_header_round_trip(
    values: list[tuple[str, list[str], str]], data: st.DataObject
) -> None:
    """Any Link list, in one field line or split over several, parses back to its relations."""
    expected: dict[str, str] = {}
    for url, rels, _ in values:
        for rel in rels:
            expected.setdefault(rel, url)
    texts = [text for _, _, text in values]
    cut = data.draw(st.integers(0, len(texts)))
    as_lines = data.draw(st.booleans())
    header: str | list[str] = (
        [", ".join(texts[:cut]), ", ".join(texts[cut:])] if as_lines else ", ".join(texts)
    )
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


# Each part of GitHub's form, the usual text first, then variations of it.
_FORM_PARTS = [
    ["<", ""],
    ["https://api.github.com/user/1/packages?page=2", " https://x/a ", "a,b", "", "a b"],
    [">", "", ">>"],
    ["; ", ";", " ; ", ";  "],
    ["rel", "REL", "title", "anchor"],
    ["=", " = "],
    ['"', ""],
    ["next", "Next", "next last", "", "x-y", 'a\\"b', "NEXT"],
    ['"', ""],
    ["", '; title="a, b"', "; anchor=x", ";"],
]


@st.composite
def _near_github_form(draw: st.DrawFn) -> str:
    """A Link value in GitHub's form, with at most one part of each link changed."""
    entries = []
    for _ in range(draw(st.integers(1, 3))):
        changed = draw(st.integers(-1, len(_FORM_PARTS) - 1))
        entries.append("".join(
            draw(st.sampled_from(options[1:])) if n == changed else options[0]
            for n, options in enumerate(_FORM_PARTS)
        ))  # fmt: skip
    separator = draw(st.sampled_from([", ", ", ", ",", " , "]))
    return separator.join(entries) + draw(st.sampled_from(["", "", " ", ","]))


@given(_near_github_form())
def test_the_github_form_fast_path_agrees_with_the_general_parser(text: str) -> None:
    """Text near GitHub's form parses the same whether or not the fast path takes it."""
    assert parse_link_header(text) == _parse_general(text)


@given(st.lists(st.tuples(_RELS, st.integers(1, 10**6)), min_size=1, max_size=5))
def test_github_form_headers_take_the_fast_path_to_the_same_answer(
    links: list[tuple[str, int]],
) -> None:
    """GitHub's own headers match the fast pattern whole, and parse as the general rules say."""
    header = ", ".join(
        f'<https://api.github.com/user/{n}/packages?per_page=100&page={n}>; rel="{rel}"'
        for rel, n in links
    )
    assert _GITHUB_FORM.fullmatch(header) is not None
    assert parse_link_header(header) == _parse_general(header)


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


_OTHER_PARAMS = st.sampled_from(
    ["per_page=100", "package_type=container", "ids=1,2", "q=a+b", "x=", "pager=3", "page_x=1"]
)


@given(
    st.lists(_OTHER_PARAMS, max_size=4),
    st.integers(0, 4),
    st.integers(1, 500),
    st.integers(0, 3),
)
def test_page_urls_agree_with_the_general_rewrite(
    params: list[str], at: int, last: int, more: int
) -> None:
    """The one-``page`` fast path builds what the parse-and-reencode path builds."""
    params.insert(min(at, len(params)), f"page={last}")
    url = "https://api.github.com/user/1/packages?" + "&".join(params)
    assert page_urls(url, last, last + more) == _page_urls_general(url, last, last + more)


def test_page_urls_keep_the_encoding_github_wrote() -> None:
    """Only the page number changes: ``%20`` is not re-encoded as ``+``."""
    url = "https://x/a?q=a%20b&page=5"
    assert page_urls(url, 6, 6) == ["https://x/a?q=a%20b&page=6"]


def test_page_urls_with_two_page_parameters_set_both() -> None:
    """A URL naming ``page`` twice is rewritten whole, as before, both set."""
    url = "https://x/a?page=3&per_page=2&page=3"
    assert page_urls(url, 1, 1) == ["https://x/a?page=1&per_page=2&page=1"]


@pytest.mark.parametrize(
    ("url", "number"),
    [("https://x/a?page=7", 7), ("https://x/a?per_page=3", None), ("https://x/a?page=abc", None)],
)
def test_page_number_reads_the_page_parameter(url: str, number: int | None) -> None:
    """The page number is the integer ``page`` parameter, else None."""
    assert page_number(url) == number


@pytest.mark.parametrize(
    ("url", "number", "expected"),
    [
        ("https://x/a?per_page=100&page=3", 4, "https://x/a?per_page=100&page=4"),
        ("https://x/a?per_page=100", 2, "https://x/a?per_page=100&page=2"),
        ("https://x/a", 2, "https://x/a?page=2"),
        ("https://x/a?page=1&ids=1,2", 2, "https://x/a?page=2&ids=1,2"),
    ],
)
def test_url_with_page_sets_only_the_page_parameter(url: str, number: int, expected: str) -> None:
    """The page parameter is replaced in place, or appended; the rest stays as written."""
    assert url_with_page(url, number) == expected


@pytest.mark.parametrize(
    ("url", "value"),
    [
        ("https://x/a?per_page=30&page=2", 30),
        ("https://x/a?page=2", None),
        ("https://x/a?per_page=", None),
    ],
)
def test_query_int_reads_an_integer_parameter(url: str, value: int | None) -> None:
    """A named integer query parameter is read, else None."""
    assert query_int(url, "per_page") == value


@pytest.mark.parametrize(
    "url",
    ["https://api.github.com:99999/x", "https://api.github.com:443.evil.example/x"],
)
def test_same_origin_is_false_for_an_unparsable_port(url: str) -> None:
    """A URL whose port does not parse is never on the API origin (and does not raise)."""
    assert same_origin(url, "https://api.github.com") is False
