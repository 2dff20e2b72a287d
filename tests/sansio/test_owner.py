"""The Owner value: construction, parsing, text forms and refusals."""

from __future__ import annotations

import pytest

from aiogh_packages import Owner


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("user:octocat", Owner.user("octocat")),
        ("org:acme", Owner.org("acme")),
        (" org : acme ", Owner.org("acme")),
        ("ORG:Acme", Owner.org("Acme")),
        ("me", Owner.authenticated_user()),
        ("@me", Owner.authenticated_user()),
        ("authenticated_user", Owner.authenticated_user()),
    ],
)
def test_parse_reads_each_accepted_form(text: str, expected: Owner) -> None:
    """user:NAME, org:NAME and me parse to the matching owner."""
    assert Owner.parse(text) == expected


@pytest.mark.parametrize("text", ["octocat", "team:x", "user:", "org: ", "user:a b", "org:a/b", ""])
def test_parse_refuses_other_text_naming_it(text: str) -> None:
    """Anything else is a ValueError that quotes the text or the bad name."""
    with pytest.raises(ValueError, match=r"owner|name|org|username"):
        Owner.parse(text)


def test_spec_round_trips_through_parse() -> None:
    """spec() is the text parse() reads back."""
    for owner in (Owner.user("octocat"), Owner.org("acme"), Owner.authenticated_user()):
        assert Owner.parse(owner.spec()) == owner


def test_str_reads_well_in_messages() -> None:
    """str() names the kind and login, or says the authenticated user."""
    assert str(Owner.user("octocat")) == "user octocat"
    assert str(Owner.org("acme")) == "org acme"
    assert str(Owner.authenticated_user()) == "the authenticated user"


def test_owners_are_hashable_and_ordered() -> None:
    """Owners work as set members and sort stably."""
    owners = {Owner.org("b"), Owner.org("a"), Owner.org("a")}
    assert sorted(owners) == [Owner.org("a"), Owner.org("b")]


def test_bad_construction_is_refused_before_use() -> None:
    """A name for the authenticated user, an empty login or an unknown kind raise."""
    with pytest.raises(ValueError, match="takes no name"):
        Owner("authenticated_user", "x")
    with pytest.raises(ValueError, match="non-empty"):
        Owner.user("")
    with pytest.raises(ValueError, match="not one of"):
        Owner("team", "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Owner.parse(3)  # type: ignore[arg-type]
